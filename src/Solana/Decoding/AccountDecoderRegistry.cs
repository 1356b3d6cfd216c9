using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

using AccountGrains.Solana.Decoding.Token2022;

namespace AccountGrains.Solana.Decoding;

/// <summary>
/// Picks the decoder for an account's owner program and turns any failure into a
/// <see cref="DecodedAccountData"/> with an error, so one odd account can never break a stream.
/// </summary>
/// <remarks>
/// Lookups are lock-free: <see cref="Register"/> swaps in a new dictionary, which suits a registry
/// that is filled at startup and read on every account update.
/// </remarks>
public sealed class AccountDecoderRegistry
{
    private readonly Lock _registerLock = new();
    private Dictionary<Pubkey, IAccountDecoder> _decoders;

    /// <summary>Creates a registry; when two decoders claim the same program id, the later one wins, as with <see cref="Register"/>.</summary>
    public AccountDecoderRegistry(IEnumerable<IAccountDecoder> decoders)
    {
        ArgumentNullException.ThrowIfNull(decoders);
        var map = new Dictionary<Pubkey, IAccountDecoder>();
        foreach (IAccountDecoder decoder in decoders)
        {
            ArgumentNullException.ThrowIfNull(decoder, nameof(decoders));
            map[decoder.ProgramId] = decoder;
        }

        _decoders = map;
    }

    /// <summary>A registry with the system program, SPL Token and Token-2022 decoders.</summary>
    public static AccountDecoderRegistry CreateDefault()
    {
        return new AccountDecoderRegistry([new SystemProgramDecoder(), new SplTokenDecoder(), new Token2022Decoder()]);
    }

    /// <summary>Adds a decoder, replacing any decoder already registered for the same program id.</summary>
    public void Register(IAccountDecoder decoder)
    {
        ArgumentNullException.ThrowIfNull(decoder);
        lock (_registerLock)
        {
            var copy = new Dictionary<Pubkey, IAccountDecoder>(_decoders)
            {
                [decoder.ProgramId] = decoder,
            };
            Volatile.Write(ref _decoders, copy);
        }
    }

    public bool TryGetDecoder(Pubkey programId, [NotNullWhen(true)] out IAccountDecoder? decoder)
    {
        return Volatile.Read(ref _decoders).TryGetValue(programId, out decoder);
    }

    /// <summary>
    /// Decodes an account's data with its owner's decoder. Never throws for any bytes: an unknown owner
    /// or a decoder failure comes back as account type "unknown", fields "{}" and an error saying why.
    /// Allocates only the result (and, for unknown owners, the owner's base58 id).
    /// </summary>
    public DecodedAccountData Decode(Pubkey owner, ReadOnlySpan<byte> data)
    {
        if (!TryGetDecoder(owner, out IAccountDecoder? decoder))
        {
            string ownerId = owner.ToString();
            return new DecodedAccountData(
                ownerId, DecodedAccountData.UnknownAccountType, EmptyObject(), $"no decoder for owner program {ownerId}", DecodeFailure.NoDecoder);
        }

        JsonScratch scratch = JsonScratch.Rent();
        try
        {
            string accountType;
            try
            {
                accountType = decoder.Decode(data, scratch.Writer);
                scratch.Writer.Flush();
            }
            catch (AccountDecodeException ex)
            {
                return Failed(decoder, ex.Message, ex.Reason);
            }
            catch (Exception ex)
            {
                // Any exception: a decoder bug must become an error on one account, not a dead stream.
                return Failed(decoder, $"decoder failed unexpectedly: {ex.GetType().Name}: {ex.Message}", DecodeFailure.DecoderFault);
            }

            ReadOnlySpan<byte> json = scratch.Buffer.WrittenSpan;
            if (json.IsEmpty || json[0] != (byte)'{' || scratch.Writer.CurrentDepth != 0)
            {
                return Failed(decoder, "decoder did not write one complete JSON object", DecodeFailure.DecoderFault);
            }

            if (string.IsNullOrEmpty(accountType))
            {
                return Failed(decoder, "decoder returned no account type", DecodeFailure.DecoderFault);
            }

            return new DecodedAccountData(decoder.ProgramName, accountType, json.ToArray(), null);
        }
        finally
        {
            scratch.Return();
        }
    }

    private static DecodedAccountData Failed(IAccountDecoder decoder, string reason, string code)
    {
        string program = decoder.ProgramName;
        return new DecodedAccountData(program, DecodedAccountData.UnknownAccountType, EmptyObject(), $"{program}: {reason}", code);
    }

    // A fresh array each time: the record exposes it, and a shared one could be modified by any caller.
    private static byte[] EmptyObject()
    {
        return "{}"u8.ToArray();
    }

    /// <summary>One buffer and writer per thread, reused across decodes so a decode allocates only its result.</summary>
    private sealed class JsonScratch
    {
        // A decoder that once wrote a huge object should not pin that much memory per thread for ever.
        private const int MaxRetainedCapacity = 64 * 1024;

        [ThreadStatic]
        private static JsonScratch? s_current;

        private bool _inUse;

        private JsonScratch()
        {
            Buffer = new ArrayBufferWriter<byte>(1024);
            Writer = new Utf8JsonWriter(Buffer);
        }

        public ArrayBufferWriter<byte> Buffer { get; }

        public Utf8JsonWriter Writer { get; }

        public static JsonScratch Rent()
        {
            JsonScratch? scratch = s_current;
            if (scratch is null)
            {
                scratch = new JsonScratch();
                s_current = scratch;
            }
            else if (scratch._inUse)
            {
                // A decoder that decodes through the registry again gets its own scratch.
                scratch = new JsonScratch();
            }

            scratch._inUse = true;
            scratch.Buffer.ResetWrittenCount();
            scratch.Writer.Reset(scratch.Buffer);
            return scratch;
        }

        public void Return()
        {
            _inUse = false;
            if (Buffer.Capacity > MaxRetainedCapacity && ReferenceEquals(s_current, this))
            {
                s_current = null;
            }
        }
    }
}
