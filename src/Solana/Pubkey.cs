using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace AccountGrains.Solana;

/// <summary>
/// A 32-byte Solana public key (account address or program id). A value type with no heap array,
/// so keys can be dictionary keys and struct fields without allocating.
/// </summary>
public readonly struct Pubkey : IEquatable<Pubkey>, IComparable<Pubkey>
{
    /// <summary>Bytes in a pubkey.</summary>
    public const int Length = 32;

    /// <summary>Shortest base58 form: 32 zero bytes are 32 '1's.</summary>
    public const int MinBase58Length = 32;

    /// <summary>Longest base58 form of 32 bytes.</summary>
    public const int MaxBase58Length = 44;

    // Big-endian words: comparing them in order is comparing the bytes lexicographically,
    // which is how Solana orders pubkeys.
    private readonly ulong _word0;
    private readonly ulong _word1;
    private readonly ulong _word2;
    private readonly ulong _word3;

    /// <summary>Creates a key from exactly 32 bytes.</summary>
    /// <exception cref="ArgumentException"><paramref name="bytes"/> is not 32 bytes long.</exception>
    public Pubkey(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException(
                $"a pubkey is {Length} bytes; got {bytes.Length}. Use Pubkey.Read to take the first {Length} bytes of a longer buffer.",
                nameof(bytes));
        }

        _word0 = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        _word1 = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        _word2 = BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]);
        _word3 = BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]);
    }

    /// <summary>The all-zero key, which is also the system program id.</summary>
    public static Pubkey Default => default;

    /// <summary>True for the all-zero key (the system program id).</summary>
    public bool IsDefault => (_word0 | _word1 | _word2 | _word3) == 0;

    /// <summary>Reads a key from the first 32 bytes of <paramref name="source"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="source"/> is shorter than 32 bytes.</exception>
    public static Pubkey Read(ReadOnlySpan<byte> source)
    {
        if (source.Length < Length)
        {
            throw new ArgumentException(
                $"reading a pubkey needs {Length} bytes; the source has {source.Length}", nameof(source));
        }

        return new Pubkey(source[..Length]);
    }

    /// <summary>Parses a base58 key.</summary>
    /// <exception cref="FormatException">The text is not a base58 key; the message says exactly why.</exception>
    public static Pubkey Parse(string s)
    {
        ArgumentNullException.ThrowIfNull(s);
        if (!TryParse(s, out Pubkey key, out string? error))
        {
            throw new FormatException(error);
        }

        return key;
    }

    /// <summary>Parses a base58 key; on failure <paramref name="error"/> says what was wrong.</summary>
    public static bool TryParse([NotNullWhen(true)] string? s, out Pubkey key, [NotNullWhen(false)] out string? error)
    {
        if (s is null)
        {
            key = default;
            error = $"pubkey is missing (null); a pubkey is {MinBase58Length} to {MaxBase58Length} base58 characters";
            return false;
        }

        ParseFailure failure = TryParseCore(s, out key, out int detail);
        error = failure switch
        {
            ParseFailure.None => null,
            ParseFailure.Empty =>
                $"pubkey is empty; a pubkey is {MinBase58Length} to {MaxBase58Length} base58 characters",
            ParseFailure.TooLong =>
                $"pubkey {ErrorText.Quote(s)} is {s.Length} characters long; a pubkey is {MinBase58Length} to {MaxBase58Length} base58 characters",
            ParseFailure.InvalidCharacter =>
                $"pubkey {ErrorText.Quote(s)} is not valid base58: {Base58.DescribeInvalidCharacter(s, detail)}",
            _ => $"pubkey {ErrorText.Quote(s)} decodes to {detail} byte{(detail == 1 ? string.Empty : "s")}; a pubkey is {Length} bytes",
        };
        return error is null;
    }

    /// <summary>Parses a base58 key without building an error message (for hot paths).</summary>
    public static bool TryParse(ReadOnlySpan<char> s, out Pubkey key)
    {
        return TryParseCore(s, out key, out _) == ParseFailure.None;
    }

    /// <summary>Writes the 32 bytes to the start of <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than 32 bytes.</exception>
    public void CopyTo(Span<byte> destination)
    {
        if (destination.Length < Length)
        {
            throw new ArgumentException(
                $"copying a pubkey needs {Length} bytes; the destination has {destination.Length}", nameof(destination));
        }

        BinaryPrimitives.WriteUInt64BigEndian(destination, _word0);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _word1);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], _word2);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], _word3);
    }

    /// <summary>Returns the 32 bytes as a new array.</summary>
    public byte[] ToArray()
    {
        var bytes = new byte[Length];
        CopyTo(bytes);
        return bytes;
    }

    /// <summary>Writes the base58 form as UTF-8 and returns its length; <paramref name="utf8Destination"/> needs 44 bytes.</summary>
    internal int EncodeBase58Utf8(Span<byte> utf8Destination)
    {
        Span<byte> bytes = stackalloc byte[Length];
        CopyTo(bytes);
        return Base58.EncodeCore(bytes, utf8Destination);
    }

    /// <summary>The base58 form.</summary>
    public override string ToString()
    {
        Span<byte> utf8 = stackalloc byte[MaxBase58Length];
        int written = EncodeBase58Utf8(utf8);
        return Encoding.ASCII.GetString(utf8[..written]);
    }

    /// <summary>The first 2 and last 4 base58 characters around an ellipsis ("5F…vFpX"), as activity summaries show addresses.</summary>
    public string ToShortString()
    {
        string text = ToString();
        return $"{text[..2]}…{text[^4..]}";
    }

    public bool Equals(Pubkey other)
    {
        return _word0 == other._word0 && _word1 == other._word1 && _word2 == other._word2 && _word3 == other._word3;
    }

    public override bool Equals(object? obj)
    {
        return obj is Pubkey other && Equals(other);
    }

    // HashCode is seeded per process, so keys ground to collide in a few bits cannot flood a dictionary.
    public override int GetHashCode()
    {
        return HashCode.Combine(_word0, _word1, _word2, _word3);
    }

    /// <summary>Orders keys by their bytes, lexicographically, as Solana does.</summary>
    public int CompareTo(Pubkey other)
    {
        int order = _word0.CompareTo(other._word0);
        if (order == 0)
        {
            order = _word1.CompareTo(other._word1);
        }

        if (order == 0)
        {
            order = _word2.CompareTo(other._word2);
        }

        return order != 0 ? order : _word3.CompareTo(other._word3);
    }

    public static bool operator ==(Pubkey left, Pubkey right) => left.Equals(right);

    public static bool operator !=(Pubkey left, Pubkey right) => !left.Equals(right);

    public static bool operator <(Pubkey left, Pubkey right) => left.CompareTo(right) < 0;

    public static bool operator <=(Pubkey left, Pubkey right) => left.CompareTo(right) <= 0;

    public static bool operator >(Pubkey left, Pubkey right) => left.CompareTo(right) > 0;

    public static bool operator >=(Pubkey left, Pubkey right) => left.CompareTo(right) >= 0;

    private static ParseFailure TryParseCore(ReadOnlySpan<char> s, out Pubkey key, out int detail)
    {
        key = default;
        detail = 0;
        if (s.IsEmpty)
        {
            return ParseFailure.Empty;
        }

        if (s.Length > MaxBase58Length)
        {
            return ParseFailure.TooLong;
        }

        // Decoded bytes never outnumber the characters, so 44 bytes always hold the result.
        Span<byte> decoded = stackalloc byte[MaxBase58Length];
        OperationStatus status = Base58.DecodeCore(s, decoded, out int written, out int invalidIndex);
        if (status != OperationStatus.Done)
        {
            detail = invalidIndex;
            return ParseFailure.InvalidCharacter;
        }

        if (written != Length)
        {
            detail = written;
            return ParseFailure.WrongLength;
        }

        key = new Pubkey(decoded[..Length]);
        return ParseFailure.None;
    }

    private enum ParseFailure
    {
        None,
        Empty,
        TooLong,
        InvalidCharacter,
        WrongLength,
    }
}
