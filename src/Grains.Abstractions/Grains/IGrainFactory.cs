namespace AccountGrains;

/// <summary>Gets references to grains by key. A reference is cheap; the grain is activated on its first message.</summary>
public interface IGrainFactory
{
    TGrain Get<TGrain>(string key)
        where TGrain : IGrain;
}
