using AccountGrains.Grains.Hosting;
using AccountGrains.Runtime.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace AccountGrains.Bench;

/// <summary>A started silo host with the real grains, configured by its settings alone; the ingest stays idle.</summary>
internal static class EmbeddedSilo
{
    public static async Task<IHost> StartAsync(IEnumerable<KeyValuePair<string, string?>> settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddAccountGrainsSilo(builder.Configuration).AddAccountGrains(builder.Configuration, startIngest: false);
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }
}
