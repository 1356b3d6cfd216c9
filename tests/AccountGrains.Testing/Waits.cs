namespace AccountGrains.Testing;

public static class Waits
{
    /// <summary>A hang guard, not a timing assertion: generous, so only a real hang trips it.</summary>
    public static readonly TimeSpan Generous = TimeSpan.FromSeconds(15);

    public static Task<T> OrHang<T>(this Task<T> task)
    {
        return task.WaitAsync(Generous);
    }

    public static Task OrHang(this Task task)
    {
        return task.WaitAsync(Generous);
    }
}
