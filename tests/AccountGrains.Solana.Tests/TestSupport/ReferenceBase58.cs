using System.Numerics;
using System.Text;

namespace AccountGrains.Solana.Tests.TestSupport;

/// <summary>
/// The textbook BigInteger base58 encoder: slow but obviously correct, used only as an oracle
/// for the limb-based production encoder.
/// </summary>
internal static class ReferenceBase58
{
    public static string Encode(byte[] data)
    {
        int zeros = data.TakeWhile(b => b == 0).Count();
        var value = new BigInteger(data, isUnsigned: true, isBigEndian: true);
        var digits = new StringBuilder();
        while (value > 0)
        {
            digits.Insert(0, Base58.Alphabet[(int)(value % 58)]);
            value /= 58;
        }

        return new string('1', zeros) + digits;
    }
}
