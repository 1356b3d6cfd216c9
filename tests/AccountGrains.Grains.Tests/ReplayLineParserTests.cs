using System.Text;
using AccountGrains.Grains.Ingest.Replay;

namespace AccountGrains.Grains.Tests;

public sealed class ReplayLineParserTests
{
    private const string Pubkey = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v";
    private const string Owner = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA";
    private const string Signature = "5VERv8NMvzbJMEkV8xnrLkEaWRtSz9CosKDYjCJjBRnbJLgp8uirBgmQpjKhoR4tjF3ZpRzrFmBV6UjKdiSZkQUW";

    private static (AccountUpdate? Update, string? Error) Parse(string line)
    {
        var ok = ReplayLineParser.TryParse(Encoding.UTF8.GetBytes(line), DateTimeOffset.UnixEpoch, out var update, out var error);
        (ok == (update is not null)).Should().BeTrue();
        return (update, error);
    }

    [Fact]
    public void A_full_line_parses_every_field()
    {
        var (update, error) = Parse($$"""{"pubkey":"{{Pubkey}}","owner":"{{Owner}}","lamports":1461600,"data":"AQID","executable":true,"rent_epoch":18446744073709551615,"slot":312000000,"write_version":1207934110492,"txn_signature":"{{Signature}}","extra":{"ignored":[1,2]} }""");
        error.Should().BeNull();
        update!.Pubkey.Should().Be(Pubkey);
        update.Owner.Should().Be(Owner);
        update.Lamports.Should().Be(1461600);
        update.Data.Should().Equal(1, 2, 3);
        update.Executable.Should().BeTrue();
        update.RentEpoch.Should().Be(ulong.MaxValue);
        update.Slot.Should().Be(312000000);
        update.WriteVersion.Should().Be(1207934110492);
        update.TxnSignature.Should().Be(Signature);
        update.ReceivedAt.Should().Be(DateTimeOffset.UnixEpoch);
    }

    [Fact]
    public void Optional_fields_default_and_empty_data_is_allowed()
    {
        var (update, error) = Parse($$"""{"pubkey":"{{Pubkey}}","owner":"{{Owner}}","lamports":0,"data":"","slot":1,"write_version":2}""");
        error.Should().BeNull();
        update!.Data.Should().BeEmpty();
        update.Executable.Should().BeFalse();
        update.TxnSignature.Should().BeNull();
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("[1]", "one JSON object")]
    [InlineData("{\"owner\":\"" + Owner + "\",\"lamports\":1,\"data\":\"\",\"slot\":1,\"write_version\":1}", "'pubkey' is required")]
    [InlineData("{\"pubkey\":\"" + Pubkey + "\",\"lamports\":1,\"data\":\"\",\"slot\":1,\"write_version\":1}", "'owner' is required")]
    [InlineData("{\"pubkey\":\"" + Pubkey + "\",\"owner\":\"" + Owner + "\",\"data\":\"\",\"slot\":1,\"write_version\":1}", "'lamports' is required")]
    [InlineData("{\"pubkey\":\"" + Pubkey + "\",\"owner\":\"" + Owner + "\",\"lamports\":1,\"slot\":1,\"write_version\":1}", "'data' is required")]
    [InlineData("{\"pubkey\":\"" + Pubkey + "\",\"owner\":\"" + Owner + "\",\"lamports\":1,\"data\":\"\",\"write_version\":1}", "'slot' is required")]
    [InlineData("{\"pubkey\":\"" + Pubkey + "\",\"owner\":\"" + Owner + "\",\"lamports\":1,\"data\":\"\",\"slot\":1}", "'write_version' is required")]
    [InlineData("{\"pubkey\":\"0x12\",\"owner\":\"" + Owner + "\",\"lamports\":1,\"data\":\"\",\"slot\":1,\"write_version\":1}", "'pubkey':")]
    [InlineData("{\"pubkey\":\"" + Pubkey + "\",\"owner\":5,\"lamports\":1,\"data\":\"\",\"slot\":1,\"write_version\":1}", "'owner' must be a base58 string")]
    [InlineData("{\"pubkey\":\"" + Pubkey + "\",\"owner\":\"" + Owner + "\",\"lamports\":-1,\"data\":\"\",\"slot\":1,\"write_version\":1}", "'lamports' must be an integer")]
    [InlineData("{\"pubkey\":\"" + Pubkey + "\",\"owner\":\"" + Owner + "\",\"lamports\":1.5,\"data\":\"\",\"slot\":1,\"write_version\":1}", "'lamports' must be an integer")]
    [InlineData("{\"pubkey\":\"" + Pubkey + "\",\"owner\":\"" + Owner + "\",\"lamports\":1,\"data\":\"%%%\",\"slot\":1,\"write_version\":1}", "not valid base64")]
    [InlineData("{\"pubkey\":\"" + Pubkey + "\",\"owner\":\"" + Owner + "\",\"lamports\":1,\"data\":\"\",\"slot\":\"1\",\"write_version\":1}", "'slot' must be an integer")]
    [InlineData("{\"pubkey\":\"" + Pubkey + "\",\"owner\":\"" + Owner + "\",\"lamports\":1,\"data\":\"\",\"slot\":1,\"write_version\":1,\"executable\":\"yes\"}", "'executable' must be true or false")]
    [InlineData("{\"pubkey\":\"" + Pubkey + "\",\"owner\":\"" + Owner + "\",\"lamports\":1,\"data\":\"\",\"slot\":1,\"write_version\":1,\"txn_signature\":\"abc\"}", "not a base58 64-byte signature")]
    public void A_bad_line_says_what_is_wrong(string line, string reason)
    {
        var (update, error) = Parse(line);
        update.Should().BeNull();
        error.Should().Contain(reason);
    }
}
