using AccountGrains.Gateway.Hosting;

var app = GatewayApp.Create(args);
await app.RunAsync();
