using System.Collections;

namespace AccountGrains.Grpc;

/// <summary>
/// gRPC metadata: ASCII headers sent with a call (e.g. x-token) or trailers received with its status.
/// Keys are lowercase. Values are never logged by this library.
/// </summary>
public sealed class Metadata : IReadOnlyList<KeyValuePair<string, string>>
{
    private readonly List<KeyValuePair<string, string>> _entries = [];
    private readonly bool _readOnly;

    public Metadata()
    {
    }

    private Metadata(bool readOnly)
    {
        _readOnly = readOnly;
    }

    /// <summary>An empty, read-only instance.</summary>
    public static Metadata Empty { get; } = new(readOnly: true);

    public int Count => _entries.Count;

    public KeyValuePair<string, string> this[int index] => _entries[index];

    /// <summary>Adds an entry; the key must be a valid lowercase header name and the value printable ASCII.</summary>
    public Metadata Add(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        if (_readOnly)
        {
            throw new InvalidOperationException("this metadata is read-only");
        }

        if (!IsValidKey(key))
        {
            throw new ArgumentException($"'{key}' is not a valid gRPC metadata key: use lowercase letters, digits, '-', '_' and '.'", nameof(key));
        }

        if (key.StartsWith("grpc-", StringComparison.Ordinal) || key is "content-type" or "te" or "user-agent")
        {
            throw new ArgumentException($"'{key}' is reserved by the gRPC protocol and set by the client itself", nameof(key));
        }

        foreach (char c in value)
        {
            if (c is < ' ' or > '~')
            {
                // The value itself stays out of the message: metadata often carries credentials.
                throw new ArgumentException($"the value of '{key}' must be printable ASCII", nameof(value));
            }
        }

        _entries.Add(new(key, value));
        return this;
    }

    /// <summary>The last value for a key, or null.</summary>
    public string? GetValue(string key)
    {
        for (int i = _entries.Count - 1; i >= 0; i--)
        {
            if (string.Equals(_entries[i].Key, key, StringComparison.OrdinalIgnoreCase))
            {
                return _entries[i].Value;
            }
        }

        return null;
    }

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator()
    {
        return _entries.GetEnumerator();
    }

    IEnumerator IEnumerable.GetEnumerator()
    {
        return GetEnumerator();
    }

    /// <summary>Copies received headers without validating them: servers may send anything.</summary>
    internal static Metadata FromReceived(IEnumerable<KeyValuePair<string, string>> entries)
    {
        var metadata = new Metadata();
        metadata._entries.AddRange(entries);
        return metadata;
    }

    private static bool IsValidKey(string key)
    {
        if (key.Length == 0)
        {
            return false;
        }

        foreach (char c in key)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.'))
            {
                return false;
            }
        }

        return true;
    }
}
