using System.Buffers;
using System.Text;

namespace AccountGrains.Solana;

/// <summary>
/// Base58 with the Bitcoin alphabet, as Solana uses for pubkeys, signatures and hashes.
/// Each leading zero byte is written as a leading '1'.
/// </summary>
/// <remarks>
/// Encoding runs for every account update, so it works on machine words instead of BigInteger:
/// the number is held in limbs of base 58^5 (encode) or 2^32 (decode), which turns the classic
/// digit-by-digit long division into a few dozen 64-bit multiply/divide steps for a 32-byte key.
/// </remarks>
public static class Base58
{
    /// <summary>The 58 digits in value order; 0, O, I and l are left out because they look alike.</summary>
    public const string Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

    // 58^5 is the largest power of 58 below 2^32, so one uint limb carries five digits.
    private const uint FiveDigitBase = 58 * 58 * 58 * 58 * 58;
    private const int DigitsPerLimb = 5;
    private const int StackLimbLimit = 128;

    private static readonly sbyte[] DigitValues = BuildDigitValues();

    /// <summary>The longest text <paramref name="byteCount"/> bytes can encode to (log 256 / log 58 &lt; 1.38).</summary>
    public static int GetMaxEncodedLength(int byteCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(byteCount);
        return (int)(((long)byteCount * 138 / 100) + 1);
    }

    /// <summary>Encodes bytes as base58 text.</summary>
    public static string Encode(ReadOnlySpan<byte> data)
    {
        int max = GetMaxEncodedLength(data.Length);
        byte[]? rented = null;
        Span<byte> utf8 = max <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            int written = EncodeCore(data, utf8);
            return Encoding.ASCII.GetString(utf8[..written]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Encodes bytes as base58 straight into UTF-8 (ASCII) bytes, for writers that never need a string.
    /// Returns false, writing nothing useful, when <paramref name="utf8Destination"/> is too short;
    /// <see cref="GetMaxEncodedLength"/> always suffices.
    /// </summary>
    public static bool TryEncodeToUtf8(ReadOnlySpan<byte> data, Span<byte> utf8Destination, out int bytesWritten)
    {
        bytesWritten = EncodeCore(data, utf8Destination);
        if (bytesWritten < 0)
        {
            bytesWritten = 0;
            return false;
        }

        return true;
    }

    /// <summary>Decodes base58 text.</summary>
    /// <exception cref="FormatException">A character is outside the base58 alphabet; the message names it and its position.</exception>
    public static byte[] Decode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);

        // A decoded value never has more bytes than the text has characters (each '1' is one zero byte,
        // and the remaining digits carry log2(58) < 8 bits each), so the text length is a safe bound.
        byte[]? rented = null;
        Span<byte> buffer = text.Length <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(text.Length));
        try
        {
            OperationStatus status = DecodeCore(text, buffer, out int written, out int invalidIndex);
            if (status == OperationStatus.InvalidData)
            {
                throw new FormatException(
                    $"{ErrorText.Quote(text)} is not valid base58: {DescribeInvalidCharacter(text, invalidIndex)}");
            }

            return buffer[..written].ToArray();
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Decodes base58 text into <paramref name="destination"/>. Returns false when the text has a character
    /// outside the alphabet or the destination is too short (a destination as long as the text always suffices).
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<char> text, Span<byte> destination, out int written)
    {
        return DecodeCore(text, destination, out written, out _) == OperationStatus.Done;
    }

    /// <summary>Describes the character at <paramref name="index"/> for an error message.</summary>
    internal static string DescribeInvalidCharacter(ReadOnlySpan<char> text, int index)
    {
        char c = text[index];
        string hint = c is '0' or 'O' or 'I' or 'l'
            ? " (base58 leaves out 0, O, I and l because they look alike)"
            : string.Empty;
        return $"character {ErrorText.DescribeChar(c)} at position {index} is not in the base58 alphabet{hint}";
    }

    /// <summary>Writes ASCII base58 digits; returns the count, or -1 when the destination is too short.</summary>
    internal static int EncodeCore(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        int zeros = 0;
        while (zeros < data.Length && data[zeros] == 0)
        {
            zeros++;
        }

        ReadOnlySpan<byte> value = data[zeros..];

        // A limb holds log2(58^5) > 29 bits, so ceil(8n / 29) limbs always suffice.
        int maxLimbs = ((value.Length * 8) + 28) / 29;
        Span<uint> limbs = maxLimbs <= StackLimbLimit ? stackalloc uint[StackLimbLimit] : new uint[maxLimbs];
        int used = 0;

        // Feed the bytes in big-endian chunks of up to 4 (the first chunk takes the remainder),
        // multiplying the little-endian limb array by 2^(8 * chunk) and adding the chunk each time.
        int position = 0;
        int chunk = value.Length % 4 == 0 ? 4 : value.Length % 4;
        while (position < value.Length)
        {
            ulong carry = 0;
            for (int k = 0; k < chunk; k++)
            {
                carry = (carry << 8) | value[position + k];
            }

            int shift = chunk * 8;
            position += chunk;
            chunk = 4;

            // limb < 58^5 and carry < 2^shift, so limb * 2^shift + carry < 58^5 * 2^32 < 2^64.
            for (int j = 0; j < used; j++)
            {
                ulong x = ((ulong)limbs[j] << shift) + carry;
                limbs[j] = (uint)(x % FiveDigitBase);
                carry = x / FiveDigitBase;
            }

            while (carry != 0)
            {
                limbs[used++] = (uint)(carry % FiveDigitBase);
                carry /= FiveDigitBase;
            }
        }

        int topDigits = 0;
        if (used > 0)
        {
            for (uint top = limbs[used - 1]; top != 0; top /= 58)
            {
                topDigits++;
            }
        }

        int total = zeros + (used == 0 ? 0 : ((used - 1) * DigitsPerLimb) + topDigits);
        if (destination.Length < total)
        {
            return -1;
        }

        destination[..zeros].Fill((byte)'1');
        int cursor = total;
        for (int j = 0; j < used; j++)
        {
            uint limb = limbs[j];
            int digits = j == used - 1 ? topDigits : DigitsPerLimb;
            for (int d = 0; d < digits; d++)
            {
                destination[--cursor] = (byte)Alphabet[(int)(limb % 58)];
                limb /= 58;
            }
        }

        return total;
    }

    /// <summary>
    /// Decodes base58 digits. Every character is checked before the destination size, so
    /// <see cref="OperationStatus.InvalidData"/> always comes with the index of the first bad character.
    /// </summary>
    internal static OperationStatus DecodeCore(
        ReadOnlySpan<char> text, Span<byte> destination, out int written, out int invalidIndex)
    {
        written = 0;
        invalidIndex = -1;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c >= DigitValues.Length || DigitValues[c] < 0)
            {
                invalidIndex = i;
                return OperationStatus.InvalidData;
            }
        }

        int ones = 0;
        while (ones < text.Length && text[ones] == '1')
        {
            ones++;
        }

        ReadOnlySpan<char> digits = text[ones..];

        // Each digit carries log2(58) < 6 bits, so ceil(6n / 32) limbs of 32 bits always suffice.
        int maxLimbs = ((digits.Length * 6) + 31) / 32;
        Span<uint> limbs = maxLimbs <= StackLimbLimit ? stackalloc uint[StackLimbLimit] : new uint[maxLimbs];
        int used = 0;

        // Feed the digits in chunks of up to 5 (the first chunk takes the remainder),
        // multiplying the little-endian limb array by 58^chunk and adding the chunk's value.
        int position = 0;
        int chunk = digits.Length % DigitsPerLimb == 0 ? DigitsPerLimb : digits.Length % DigitsPerLimb;
        while (position < digits.Length)
        {
            ulong carry = 0;
            ulong multiplier = 1;
            for (int k = 0; k < chunk; k++)
            {
                carry = (carry * 58) + (ulong)DigitValues[digits[position + k]];
                multiplier *= 58;
            }

            position += chunk;
            chunk = DigitsPerLimb;

            // limb < 2^32 and multiplier, carry <= 58^5 < 2^30, so limb * multiplier + carry < 2^62.
            for (int j = 0; j < used; j++)
            {
                ulong x = ((ulong)limbs[j] * multiplier) + carry;
                limbs[j] = (uint)x;
                carry = x >> 32;
            }

            while (carry != 0)
            {
                limbs[used++] = (uint)carry;
                carry >>= 32;
            }
        }

        int topBytes = 0;
        if (used > 0)
        {
            for (uint top = limbs[used - 1]; top != 0; top >>= 8)
            {
                topBytes++;
            }
        }

        int total = ones + (used == 0 ? 0 : ((used - 1) * 4) + topBytes);
        if (destination.Length < total)
        {
            return OperationStatus.DestinationTooSmall;
        }

        destination[..ones].Clear();
        int cursor = total;
        for (int j = 0; j < used; j++)
        {
            uint limb = limbs[j];
            int bytes = j == used - 1 ? topBytes : 4;
            for (int b = 0; b < bytes; b++)
            {
                destination[--cursor] = (byte)limb;
                limb >>= 8;
            }
        }

        written = total;
        return OperationStatus.Done;
    }

    private static sbyte[] BuildDigitValues()
    {
        var values = new sbyte[128];
        Array.Fill(values, (sbyte)-1);
        for (int i = 0; i < Alphabet.Length; i++)
        {
            values[Alphabet[i]] = (sbyte)i;
        }

        return values;
    }
}
