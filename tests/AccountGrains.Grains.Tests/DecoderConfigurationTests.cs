using System.Text.Json;
using AccountGrains.Solana;
using AccountGrains.Solana.Decoding;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AccountGrains.Grains.Tests;

/// <summary>Programs are added by configuring Anchor IDLs, no code; a broken setting stops start-up and names itself.</summary>
public sealed class DecoderConfigurationTests
{
    private static string DammIdl => TestPaths.DammIdl;

    [Fact]
    public async Task A_configured_idl_decodes_its_program_under_its_own_address_or_a_redeployed_one()
    {
        var redeployed = Base58.Encode(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
        await using var silo = await TestSilo.StartAsync(settings: new Dictionary<string, string?>
        {
            ["AccountGrains:Decoders:AnchorIdls:0:Path"] = DammIdl,
            ["AccountGrains:Decoders:AnchorIdls:1:Path"] = DammIdl,
            ["AccountGrains:Decoders:AnchorIdls:1:ProgramId"] = redeployed,
            ["AccountGrains:Decoders:AnchorIdls:1:Name"] = "cp_amm_fork",
        });
        var registry = silo.Services.GetRequiredService<AccountDecoderRegistry>();

        registry.TryGetDecoder(WellKnownPrograms.MeteoraDammV2, out var original).Should().BeTrue();
        original!.ProgramName.Should().Be("cp_amm");
        registry.TryGetDecoder(Pubkey.Parse(redeployed), out var fork).Should().BeTrue();
        fork!.ProgramName.Should().Be("cp_amm_fork");

        // An Operator account: discriminator then whitelisted_address (32), permission (u128), padding ([u64; 2]).
        var discriminator = new byte[] { 219, 31, 188, 145, 69, 139, 204, 117 };
        var data = discriminator.Concat(new byte[32 + 16 + 16]).ToArray();
        var pubkey = Base58.Encode(Enumerable.Range(100, 32).Select(i => (byte)i).ToArray());
        var grain = silo.Grains.Get<IAccountGrain>(pubkey);
        await grain.ApplyAndReportAsync(new AccountUpdate(pubkey, redeployed, 1, data, false, 0, 1, 1, null, DateTimeOffset.UtcNow));
        var decoded = (await grain.GetSnapshotAsync()).State!.Decoded;
        decoded.Program.Should().Be("cp_amm_fork");
        decoded.AccountType.Should().Be("operator");
        using var fields = JsonDocument.Parse(decoded.FieldsJson);
        fields.RootElement.GetProperty("permission").GetString().Should().Be("0");
    }

    [Fact]
    public async Task A_missing_idl_file_stops_start_up_with_the_setting_named()
    {
        var start = () => TestSilo.StartAsync(settings: new Dictionary<string, string?>
        {
            ["AccountGrains:Decoders:AnchorIdls:0:Path"] = "/nowhere/program.json",
        });
        (await start.Should().ThrowAsync<OptionsValidationException>())
            .Which.Message.Should().Contain("AccountGrains:Decoders:AnchorIdls:0:Path").And.Contain("/nowhere/program.json");
    }

    [Fact]
    public async Task A_broken_idl_or_program_id_stops_start_up_with_the_setting_named()
    {
        var broken = Path.Combine(Path.GetTempPath(), $"broken-idl-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(broken, """{"address":"not a key","metadata":{"name":"x"},"accounts":[],"types":[]}""");
        try
        {
            var start = () => TestSilo.StartAsync(settings: new Dictionary<string, string?>
            {
                ["AccountGrains:Decoders:AnchorIdls:0:Path"] = broken,
                ["AccountGrains:Decoders:AnchorIdls:1:Path"] = DammIdl,
                ["AccountGrains:Decoders:AnchorIdls:1:ProgramId"] = "0OIl",
            });
            var message = (await start.Should().ThrowAsync<OptionsValidationException>()).Which.Message;
            message.Should().Contain("AccountGrains:Decoders:AnchorIdls:0:Path").And.Contain("AccountGrains:Decoders:AnchorIdls:1:ProgramId");
        }
        finally
        {
            File.Delete(broken);
        }
    }
}
