using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using MailOAuth.Sandbox.Dns;
using MailOAuth.Sandbox.Entra;
using MailOAuth.Sandbox.Platform;
using MailOAuth.Sandbox.Tenancy;
using Microsoft.AspNetCore.Connections;

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

    /// <summary>The sandbox's vaults (for tests: the stored values, which no endpoint but the secrets API returns).</summary>
    public KeyVault.KeyVaultStore KeyVaults => _runtime.KeyVaults;

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
        try
        {
            var files = new SandboxFiles(
                Path.Combine(stateDirectory, "sandbox.cer"),
                Path.Combine(stateDirectory, "admin-client.pfx"),
                Path.Combine(stateDirectory, "admin-client.cer"));
            await File.WriteAllBytesAsync(files.CertificatePath, certificate.Export(X509ContentType.Cert), ct);

            // A port picked here (port 0) can be taken by another process before Kestrel binds it:
            // then pick another, a bounded number of times.
            for (var attempt = 1; ; attempt++)
            {
                var port = options.Port != 0 ? options.Port : FreeLoopbackPort();
                try
                {
                    return await StartOnceAsync(options, clock, now, port, certificate, stateDirectory, files, ownedStateDirectory, ct);
                }
                catch (IOException e) when (options.Port == 0 && attempt < MaxPortAttempts && IsAddressInUse(e))
                {
                    // Taken between the pick and the bind: everything made for it is disposed; next port.
                }
            }
        }
        catch
        {
            certificate.Dispose();
            throw;
        }
    }

    private const int MaxPortAttempts = 5;

    /// <summary>Builds the whole runtime for <paramref name="port"/>, then the app around it, and starts listening.</summary>
    private static async Task<SandboxHost> StartOnceAsync(
        SandboxOptions options,
        TimeProvider clock,
        DateTimeOffset now,
        int port,
        X509Certificate2 certificate,
        string stateDirectory,
        SandboxFiles files,
        string? ownedStateDirectory,
        CancellationToken ct)
    {
        var baseUri = $"https://127.0.0.1:{port}";
        SeedMaterial? material = null;
        TokenSigningKey? signingKey = null;
        TokenSigningKey? issuerKey = null;
        PlatformState? platform = null;
        SandboxDnsServer? dns = null;
        SandboxRuntime? runtime = null;
        WebApplication? app = null;
        try
        {
            material = SeedMaterial.Create(now);
            signingKey = new TokenSigningKey(SandboxCertificates.CreateSigningCertificate(now));
            issuerKey = new TokenSigningKey(SandboxCertificates.CreateSigningCertificate(now, "CN=MailOAuth Sandbox external OIDC issuer"));

            // The reseller platform: its secret store is ASP.NET Core Data Protection with the key
            // ring in the state directory; its mail client calls this sandbox over HTTPS, pinned.
            platform = new PlatformState(stateDirectory, clock, new PlatformMailer(baseUri, certificate.Thumbprint));
            dns = SandboxDnsServer.Start(new DnsRecordStore(), options.DnsPort);
            runtime = new SandboxRuntime(clock, baseUri, material, signingKey, issuerKey, platform,
                TimeSpan.FromSeconds(Math.Max(0, options.ReplicationLagSeconds)), dns);

            // The admin's client certificate: PFX with the private key (random password) and the public part.
            await File.WriteAllBytesAsync(files.AdminPfxPath, material.AdminCertificate.Export(X509ContentType.Pkcs12, material.AdminCertificatePassword), ct);
            await File.WriteAllBytesAsync(files.AdminCerPath, material.AdminCertificate.Export(X509ContentType.Cert), ct);

            var info = SandboxInfo.Describe(runtime, files, certificate.Thumbprint);
            var infoJson = SandboxJson.Serialize(info);
            app = SandboxRoutes.Build(port, certificate, runtime, infoJson);
            await app.StartAsync(ct);
            return new SandboxHost(app, runtime, certificate, info, infoJson, ownedStateDirectory);
        }
        catch
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }

            if (runtime is not null)
            {
                runtime.Dispose();
            }
            else
            {
                dns?.Dispose();
                platform?.Dispose();
                issuerKey?.Dispose();
                signingKey?.Dispose();
                material?.Dispose();
            }

            throw;
        }
    }

    /// <summary>A port free on 127.0.0.1 now (the system's choice).</summary>
    private static int FreeLoopbackPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }

    private static bool IsAddressInUse(Exception e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is AddressInUseException or SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse })
            {
                return true;
            }
        }

        return false;
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
}
