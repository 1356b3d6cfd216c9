using AccountGrains.Grains.Hosting;
using AccountGrains.Runtime.Hosting;

// `capture --output FILE ...` records the configured live source into the replay format (see README).
if (args.Length > 0 && args[0] == CaptureCommand.Name)
{
    using var stop = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        stop.Cancel();
    };
    return await CaptureCommand.RunAsync(args[1..], Console.Out, Console.Error, stop.Token);
}

// A silo without the gateway's HTTP and WebSocket endpoints: the runtime, the grains and the ingest. Until cluster
// mode lands it owns every partition of its own SQLite store, like the embedded gateway does.
var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddAccountGrainsSilo(builder.Configuration).AddAccountGrains(builder.Configuration);
using var host = builder.Build();
await host.RunAsync();
return 0;
