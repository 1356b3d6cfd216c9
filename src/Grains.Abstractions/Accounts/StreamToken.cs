namespace AccountGrains;

/// <summary>
/// The order of account updates: <c>(slot, write_version)</c>. An update is applied only when its token is newer
/// than the state's; subscribers never see a token go backwards for one key.
/// </summary>
public readonly record struct StreamToken(ulong Slot, ulong WriteVersion) : IComparable<StreamToken>
{
    public static StreamToken None => default;

    public int CompareTo(StreamToken other)
    {
        var bySlot = Slot.CompareTo(other.Slot);
        return bySlot != 0 ? bySlot : WriteVersion.CompareTo(other.WriteVersion);
    }

    public static bool operator >(StreamToken left, StreamToken right) => left.CompareTo(right) > 0;

    public static bool operator <(StreamToken left, StreamToken right) => left.CompareTo(right) < 0;

    public static bool operator >=(StreamToken left, StreamToken right) => left.CompareTo(right) >= 0;

    public static bool operator <=(StreamToken left, StreamToken right) => left.CompareTo(right) <= 0;

    public override string ToString() => $"{Slot}:{WriteVersion}";
}
