using System.Net;
using System.Security.Cryptography.X509Certificates;
using MailOAuth.Sandbox.Control;
using MailOAuth.Sandbox.Entra;
using MailOAuth.Sandbox.Graph;
using MailOAuth.Sandbox.Platform;

namespace MailOAuth.Sandbox.Hosting;

/// <summary>The ASP.NET Core app of a sandbox and its route table: where to look first for which code answers a URL.</summary>
public static class SandboxRoutes
{
    /// <summary>
    /// The app for <paramref name="runtime"/>: Kestrel on 127.0.0.1:<paramref name="port"/> with
    /// <paramref name="certificate"/>, quiet logging, the request log and fault middleware, and the routes.
    /// </summary>
    public static WebApplication Build(int port, X509Certificate2 certificate, SandboxRuntime runtime, string infoJson)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(SandboxRoutes).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            Args = [],
        });

        // Quiet: warnings and worse only, and to stderr; stdout belongs to the JSON line.
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);

        // The host must not grab Ctrl+C/SIGTERM in a test process; Program handles signals itself.
        builder.Services.AddSingleton<IHostLifetime, PassiveHostLifetime>();
        builder.Services.AddSingleton(runtime);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, port, listen => listen.UseHttps(certificate));
        });

        var app = builder.Build();
        app.UseMiddleware<RequestLogMiddleware>();
        app.UseMiddleware<FaultMiddleware>();
        MapRoutes(app, runtime, infoJson);
        return app;
    }

    private static void MapRoutes(WebApplication app, SandboxRuntime runtime, string infoJson)
    {
        // Entra (docs/service-behaviour.md#token-request, #discovery).
        app.Map("/common/discovery/instance", context => DiscoveryEndpoints.InstanceAsync(context, runtime));
        app.Map("/{tenant}/v2.0/.well-known/openid-configuration", context => DiscoveryEndpoints.OpenIdConfigurationAsync(context, runtime));
        app.Map("/{tenant}/discovery/v2.0/keys", context => DiscoveryEndpoints.KeysAsync(context, runtime));
        app.Map("/{tenant}/oauth2/v2.0/token", context => TokenEndpoint.HandleAsync(context, runtime));
        app.Map("/{tenant}/oauth2/v2.0/devicecode", context => DeviceCodeFlow.DeviceAuthorizationAsync(context, runtime));

        // Managed identity (App Service protocol) and the external OIDC issuer (workload identity federation).
        app.Map("/_sandbox/msi/token", context => ManagedIdentityEndpoint.HandleAsync(context, runtime));
        ExternalIssuer.Map(app, runtime);

        // Graph (docs/service-behaviour.md#microsoft-graph, #graph-errors): mail, then the directory (and Graph-shaped answers for the rest).
        app.Map("/v1.0/users/{user}/sendMail", context => SendMailEndpoint.HandleAsync(context, runtime));
        app.Map("/v1.0/me/sendMail", context => SendMailEndpoint.MeAsync(context, runtime));
        app.Map("/v1.0/{**rest}", context => DirectoryRouter.HandleAsync(context, runtime));
        app.Map("/beta/{**rest}", context => DirectoryRouter.HandleAsync(context, runtime));

        // The reference reseller platform: its API (two profiles) and its admin page.
        PlatformEndpoints.Map(app, runtime);

        ControlEndpoints.Map(app, runtime, infoJson);
        app.MapFallback(context => GraphFallback.AnyAsync(context, runtime));
    }

    /// <summary>A host lifetime that registers no signal handlers.</summary>
    private sealed class PassiveHostLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
