using AccountGrains.Grains.Hosting;
using AccountGrains.Runtime.Hosting;

// A silo without the gateway's HTTP and WebSocket endpoints: the runtime, the grains and the ingest. Until cluster
// mode lands it owns every partition of its own SQLite store, like the embedded gateway does.
var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddAccountGrainsSilo(builder.Configuration).AddAccountGrains(builder.Configuration);
using var host = builder.Build();
await host.RunAsync();
