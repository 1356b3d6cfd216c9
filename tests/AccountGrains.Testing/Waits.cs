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

    /// <summary>Polls <paramref name="condition"/> every 10 ms until it holds; a <see cref="TimeoutException"/> naming <paramref name="what"/> after <see cref="Generous"/>.</summary>
    public static Task UntilAsync(Func<bool> condition, string? what = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return UntilAsync(() => Task.FromResult(condition()), what);
    }

    /// <summary>Polls <paramref name="condition"/> every 10 ms until it holds; a <see cref="TimeoutException"/> naming <paramref name="what"/> after <see cref="Generous"/>.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string? what = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = DateTime.UtcNow + Generous;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"waited {Generous.TotalSeconds:F0} s for {what ?? "a condition"}");
            }

            await Task.Delay(10);
        }
    }
}
