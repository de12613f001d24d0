using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MailOAuth.Sandbox.Control;
using MailOAuth.Sandbox.Tenancy;
using MailOAuth.Sandbox.Entra;
using MailOAuth.Sandbox.Graph;
using MailOAuth.Sandbox.Platform;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Logging.Console;

namespace MailOAuth.Sandbox.Hosting;

/// <summary>
/// A running sandbox: HTTPS on 127.0.0.1 with a self-signed certificate made at start, the
/// seeded directory, and the Entra, Graph and control endpoints. Usable in-process (tests)
/// and by <see cref="Program"/>.
/// </summary>
public sealed class SandboxHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SandboxRuntime _runtime;
    private readonly string? _ownedStateDirectory;
    private int _disposed;

    private SandboxHost(WebApplication app, SandboxRuntime runtime, X509Certificate2 certificate, SandboxInfo info, string infoJson, string? ownedStateDirectory)
    {
        _app = app;
        _runtime = runtime;
        Certificate = certificate;
        Info = info;
        InfoJson = infoJson;
        _ownedStateDirectory = ownedStateDirectory;
    }

    /// <summary>The start-up facts, typed (same data as <see cref="InfoJson"/>).</summary>
    public SandboxInfo Info { get; }

    /// <summary>The one-line JSON the program prints at start (docs/sandbox.md).</summary>
    public string InfoJson { get; }

    /// <summary>The TLS server certificate (public part also written to <see cref="SandboxInfo.CertificatePath"/>).</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The reference reseller platform's state (for tests: the stored secret is a Data Protection payload).</summary>
    public PlatformState Platform => _runtime.Platform;

    public static async Task<SandboxHost> StartAsync(SandboxOptions? options = null, CancellationToken ct = default)
    {
        options ??= new SandboxOptions();
        var clock = options.TimeProvider ?? TimeProvider.System;
        var now = clock.GetUtcNow();

        string? ownedStateDirectory = null;
        var stateDirectory = options.StateDirectory;
        if (string.IsNullOrEmpty(stateDirectory))
        {
            stateDirectory = ownedStateDirectory = Path.Combine(Path.GetTempPath(), "mailoauth-sandbox-" + Guid.NewGuid().ToString("N")[..12]);
        }

        stateDirectory = Path.GetFullPath(stateDirectory);
        Directory.CreateDirectory(stateDirectory);

        var certificate = SandboxCertificates.CreateTlsCertificate(now);
        var runtime = new SandboxRuntime(
            clock,
            SeedMaterial.Create(now),
            new TokenSigningKey(SandboxCertificates.CreateSigningCertificate(now)),
            new TokenSigningKey(SandboxCertificates.CreateSigningCertificate(now, "CN=MailOAuth Sandbox external OIDC issuer")),
            TimeSpan.FromSeconds(Math.Max(0, options.ReplicationLagSeconds)));
        WebApplication? app = null;
        try
        {
            var certificatePath = Path.Combine(stateDirectory, "sandbox.cer");
            await File.WriteAllBytesAsync(certificatePath, certificate.Export(X509ContentType.Cert), ct);

            // The admin's client certificate: PFX with the private key (random password) and the public part.
            var material = runtime.Material;
            var adminPfxPath = Path.Combine(stateDirectory, "admin-client.pfx");
            await File.WriteAllBytesAsync(adminPfxPath, material.AdminCertificate.Export(X509ContentType.Pkcs12, material.AdminCertificatePassword), ct);
            await File.WriteAllBytesAsync(Path.Combine(stateDirectory, "admin-client.cer"), material.AdminCertificate.Export(X509ContentType.Cert), ct);

            app = Build(options.Port, certificate, runtime, stateDirectory);

            // The reseller platform: its secret store is ASP.NET Core Data Protection with the key
            // ring in the state directory; its mail client calls this sandbox over HTTPS, pinned.
            runtime.Platform = new PlatformState(
                app.Services.GetRequiredService<IDataProtectionProvider>(),
                stateDirectory,
                clock,
                new PlatformMailer(runtime, certificate.Thumbprint));

            await app.StartAsync(ct);

            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            runtime.BaseUri = $"https://127.0.0.1:{new Uri(address).Port}";

            // Seeding needs the base URI: the admin's federated credential names {base}/_sandbox/oidc.
            runtime.SeedDirectory();
            var info = CreateInfo(runtime, certificatePath, certificate, adminPfxPath);
            var infoJson = SandboxJson.Serialize(info);
            runtime.InfoJson = infoJson;
            return new SandboxHost(app, runtime, certificate, info, infoJson, ownedStateDirectory);
        }
        catch
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }

            runtime.Dispose();
            certificate.Dispose();
            throw;
        }
    }

    /// <summary>
    /// An <see cref="HttpClient"/> with <see cref="SandboxInfo.BaseUri"/> as base address that
    /// trusts exactly this sandbox's certificate (pinned by thumbprint).
    /// </summary>
    public HttpClient CreateControlClient() => new(CreatePinnedHandler()) { BaseAddress = new Uri(Info.BaseUri + "/") };

    /// <summary>A handler that accepts only this sandbox's certificate (thumbprint pinning).</summary>
    public HttpMessageHandler CreatePinnedHandler() => CreatePinnedHandler(Certificate.Thumbprint);

    /// <summary>A handler that accepts only the certificate with this SHA-1 thumbprint.</summary>
    public static SocketsHttpHandler CreatePinnedHandler(string thumbprint)
    {
        return new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, cert, _, _) =>
                    cert is not null && string.Equals(cert.GetCertHashString(), thumbprint, StringComparison.OrdinalIgnoreCase),
            },
        };
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            await _app.StopAsync();
        }
        finally
        {
            await _app.DisposeAsync();
            _runtime.Dispose();
            Certificate.Dispose();
            if (_ownedStateDirectory is not null)
            {
                try
                {
                    Directory.Delete(_ownedStateDirectory, recursive: true);
                }
                catch (IOException)
                {
                    // best effort
                }
                catch (UnauthorizedAccessException)
                {
                    // best effort
                }
            }
        }
    }

    private static WebApplication Build(int port, X509Certificate2 certificate, SandboxRuntime runtime, string stateDirectory)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(SandboxHost).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            Args = [],
        });

        // Quiet: warnings and worse only, and to stderr; stdout belongs to the JSON line.
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);

        // Data Protection warns that the key ring is stored unencrypted (no certificate/DPAPI):
        // expected for a local sandbox, so not worth a line on stderr.
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);
        builder.Services.AddDataProtection()
            .SetApplicationName(PlatformState.DataProtectionApplicationName)
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(stateDirectory, PlatformState.KeyDirectoryName)));

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
        MapRoutes(app, runtime);
        return app;
    }

    private static void MapRoutes(WebApplication app, SandboxRuntime runtime)
    {
        // Entra (wire §1, §2).
        app.Map("/common/discovery/instance", context => DiscoveryEndpoints.InstanceAsync(context, runtime));
        app.Map("/{tenant}/v2.0/.well-known/openid-configuration", context => DiscoveryEndpoints.OpenIdConfigurationAsync(context, runtime));
        app.Map("/{tenant}/discovery/v2.0/keys", context => DiscoveryEndpoints.KeysAsync(context, runtime));
        app.Map("/{tenant}/oauth2/v2.0/token", context => TokenEndpoint.HandleAsync(context, runtime));
        app.Map("/{tenant}/oauth2/v2.0/devicecode", context => DeviceCodeFlow.DeviceAuthorizationAsync(context, runtime));

        // Managed identity (App Service protocol) and the external OIDC issuer (workload identity federation).
        app.Map("/_sandbox/msi/token", context => ManagedIdentityEndpoint.HandleAsync(context, runtime));
        ExternalIssuer.Map(app, runtime);

        // Graph (wire §4, §5): mail, then the directory (and Graph-shaped answers for the rest).
        app.Map("/v1.0/users/{user}/sendMail", context => SendMailEndpoint.HandleAsync(context, runtime));
        app.Map("/v1.0/me/sendMail", context => SendMailEndpoint.MeAsync(context, runtime));
        app.Map("/v1.0/{**rest}", context => DirectoryRouter.HandleAsync(context, runtime));

        // The reference reseller platform: its API (two profiles) and its admin page.
        PlatformEndpoints.Map(app, runtime);

        ControlEndpoints.Map(app, runtime);
        app.MapFallback(context => GraphFallback.AnyAsync(context, runtime));
    }

    private static SandboxInfo CreateInfo(SandboxRuntime runtime, string certificatePath, X509Certificate2 certificate, string adminPfxPath)
    {
        var seed = runtime.Seed;
        var tenant = runtime.Directory.Tenant;
        return new SandboxInfo
        {
            BaseUri = runtime.BaseUri,
            AuthorityHost = runtime.AuthorityHost,
            GraphEndpoint = runtime.GraphEndpoint,
            CertificatePath = certificatePath,
            CertificateThumbprint = certificate.Thumbprint,
            TenantId = tenant.Id.ToString(),
            TenantDomain = tenant.DefaultDomain.Name,
            TenantDisplayName = tenant.DisplayName,
            UnverifiedDomain = seed.UnverifiedDomain,
            Mailboxes = new SandboxMailboxes
            {
                Licensed = seed.Licensed.UserPrincipalName,
                Unlicensed = seed.Unlicensed.UserPrincipalName,
                Restricted = seed.Restricted.UserPrincipalName,
                Other = seed.Other.UserPrincipalName,
                Guest = seed.Guest.UserPrincipalName,
                OnPrem = seed.OnPrem.UserPrincipalName,
            },
            Apps = new SandboxApps
            {
                Consented = ToInfo(seed.Consented),
                Unconsented = ToInfo(seed.Unconsented),
                ExpiredSecret = ToInfo(seed.ExpiredSecret),
                ConditionalAccessBlocked = ToInfo(seed.ConditionalAccessBlocked),
            },
            Admin = new SandboxAdmin
            {
                ClientId = seed.Admin.AppId.ToString(),
                ClientSecret = seed.Admin.SecretText,
                CertificatePath = adminPfxPath,
                CertificatePassword = runtime.Material.AdminCertificatePassword,
                CertificateThumbprint = runtime.Material.AdminCertificate.Thumbprint,
                FederatedIssuer = seed.FederatedIssuer,
                FederatedSubject = seed.FederatedSubject,
                ObjectId = seed.Admin.ObjectId.ToString(),
                ServicePrincipalId = seed.Admin.ServicePrincipalId.ToString(),
            },
            NoRightsAdmin = new SandboxClient
            {
                ClientId = seed.NoRightsAdmin.AppId.ToString(),
                ClientSecret = seed.NoRightsAdmin.SecretText,
            },
            ManagedIdentity = new SandboxManagedIdentity
            {
                IdentityEndpoint = runtime.IdentityEndpoint,
                IdentityHeader = runtime.Material.IdentityHeader,
                ClientId = seed.SystemAssignedIdentity.ClientId.ToString(),
                UserAssignedClientId = seed.UserAssignedIdentity.ClientId.ToString(),
            },
            PublicClientId = seed.PublicClientAppId.ToString(),
            AdminUser = seed.AdminUser.UserPrincipalName,
            Platform = new SandboxPlatform
            {
                Uri = runtime.BaseUri,
                ApiToken = runtime.Platform.ApiToken,
                ReadOnlyApiToken = runtime.Platform.ReadOnlyApiToken,
                AdminPage = runtime.BaseUri + AdminPage.PagePath,
            },
        };
    }

    private static SandboxApp ToInfo(SeededApp app) => new()
    {
        ClientId = app.AppId.ToString(),
        ClientSecret = app.SecretText,
        SecretKeyId = app.SecretKeyId.ToString(),
        ObjectId = app.ObjectId.ToString(),
        ServicePrincipalId = app.ServicePrincipalId.ToString(),
    };

    /// <summary>A host lifetime that registers no signal handlers.</summary>
    private sealed class PassiveHostLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
