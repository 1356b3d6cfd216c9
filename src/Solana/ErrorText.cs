using System.Globalization;
using System.Text;

namespace AccountGrains.Solana;

/// <summary>Renders user input inside error messages so that messages stay one readable line.</summary>
internal static class ErrorText
{
    private const int MaxQuotedLength = 64;

    /// <summary>
    /// Quotes input for a message. Control and non-ASCII characters become \uXXXX so a stray newline
    /// cannot split a log line, and long input is cut (with its length) so a message stays short.
    /// </summary>
    public static string Quote(ReadOnlySpan<char> input)
    {
        var text = new StringBuilder(Math.Min(input.Length, MaxQuotedLength) + 24);
        text.Append('\'');
        ReadOnlySpan<char> shown = input.Length > MaxQuotedLength ? input[..MaxQuotedLength] : input;
        foreach (char c in shown)
        {
            if (c is >= ' ' and <= '~')
            {
                text.Append(c);
            }
            else
            {
                text.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
        }

        text.Append('\'');
        if (input.Length > MaxQuotedLength)
        {
            text.Insert(text.Length - 1, "...");
            text.Append(CultureInfo.InvariantCulture, $" ({input.Length} characters)");
        }

        return text.ToString();
    }

    /// <summary>Names one character: 'x' when printable ASCII, U+XXXX otherwise (so a space or NBSP is visible).</summary>
    public static string DescribeChar(char c)
    {
        return c is > ' ' and <= '~'
            ? $"'{c}'"
            : string.Create(CultureInfo.InvariantCulture, $"U+{(int)c:X4}");
    }
}
