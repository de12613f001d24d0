using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MailOAuth.Core.Cloud;
using MailOAuth.Core.Resilience;

namespace MailOAuth.Core.Http;

/// <summary>
/// Builds the HTTP handler chains for one environment: one connection pool per environment, the
/// module's retry and request-log handlers on top. Where the environment pins a certificate (the
/// sandbox), that certificate is trusted for that environment's hosts only — validation is never
/// turned off, and nothing process-wide (ServicePointManager) is touched.
/// </summary>
public sealed class HttpStack : IDisposable
{
    private readonly HttpMessageHandler _primary;

    private readonly CloudEnvironment? _environment;

    /// <param name="environment">The cloud this stack serves.</param>
    /// <param name="retryPolicy">The retry policy of its module handlers.</param>
    /// <param name="timeProvider">The clock its retry waits and attempt timeouts run on; null: <see cref="System.TimeProvider.System"/>.</param>
    public HttpStack(CloudEnvironment environment, RetryPolicy retryPolicy, TimeProvider? timeProvider = null)
    {
        _environment = environment;
        RetryPolicy = retryPolicy;
        TimeProvider = timeProvider ?? TimeProvider.System;
        var handler = NewPrimaryHandler();
        if (environment.TrustedCertificate is { } pinned)
        {
            handler.ServerCertificateCustomValidationCallback = (request, certificate, chain, errors) =>
                errors == SslPolicyErrors.None
                || certificate is not null && request.RequestUri is not null && environment.OwnsHost(request.RequestUri)
                   && string.Equals(certificate.Thumbprint, pinned.Thumbprint, StringComparison.OrdinalIgnoreCase);
        }
        _primary = handler;
    }

    /// <summary>A cloud's stack over a given transport (tests: a built-in cloud answered without the network).</summary>
    internal HttpStack(CloudEnvironment environment, RetryPolicy retryPolicy, TimeProvider? timeProvider, HttpMessageHandler transport)
    {
        _environment = environment;
        RetryPolicy = retryPolicy;
        TimeProvider = timeProvider ?? TimeProvider.System;
        _primary = transport;
    }

    /// <summary>A stack for hosts outside any cloud (a reseller platform) with the platform's own trust store.</summary>
    /// <param name="retryPolicy">The retry policy of its module handlers.</param>
    /// <param name="timeProvider">The clock its retry waits and attempt timeouts run on; null: <see cref="System.TimeProvider.System"/>.</param>
    public HttpStack(RetryPolicy retryPolicy, TimeProvider? timeProvider = null)
    {
        RetryPolicy = retryPolicy;
        TimeProvider = timeProvider ?? TimeProvider.System;
        _primary = NewPrimaryHandler();
    }

    /// <summary>
    /// A stack for one platform host behind a private CA: besides the machine's trust store, a server certificate
    /// of <paramref name="platformUri"/>'s host and port (no other) is trusted when it is <paramref name="trusted"/>
    /// itself or its chain ends in <paramref name="trusted"/> as root. Nothing process-wide changes.
    /// </summary>
    public HttpStack(Uri platformUri, X509Certificate2 trusted, RetryPolicy retryPolicy, TimeProvider? timeProvider = null)
    {
        RetryPolicy = retryPolicy;
        TimeProvider = timeProvider ?? TimeProvider.System;
        var handler = NewPrimaryHandler();
        handler.ServerCertificateCustomValidationCallback = (request, certificate, chain, errors) =>
            errors == SslPolicyErrors.None
            || certificate is not null && request.RequestUri is { } uri
               && string.Equals(uri.Host, platformUri.Host, StringComparison.OrdinalIgnoreCase) && uri.Port == platformUri.Port
               && (errors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0
               && ChainsTo(certificate, trusted);
        _primary = handler;
    }

    /// <summary><paramref name="certificate"/> is <paramref name="trusted"/>, or builds a chain whose root is it.</summary>
    private static bool ChainsTo(X509Certificate2 certificate, X509Certificate2 trusted)
    {
        if (string.Equals(certificate.Thumbprint, trusted.Thumbprint, StringComparison.OrdinalIgnoreCase)) return true;
        using var chain = new X509Chain();
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck; // a private CA often publishes no CRL reachable from here
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.AllowUnknownCertificateAuthority;
        chain.ChainPolicy.ExtraStore.Add(trusted);
        if (!chain.Build(certificate)) return false;
        var root = chain.ChainElements[chain.ChainElements.Count - 1].Certificate;
        return string.Equals(root.Thumbprint, trusted.Thumbprint, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// No automatic redirects: a 307/308 would resend a body with a secret (or a custom auth header) to
    /// another host; Graph's own RedirectHandler handles Graph's redirects. On .NET Framework (Windows
    /// PowerShell) TLS 1.2 is asked for explicitly, for this handler only, since the process default
    /// there may still be SSL3/TLS 1.0, which Entra refuses.
    /// </summary>
    private static HttpClientHandler NewPrimaryHandler()
    {
        var handler = new HttpClientHandler { AllowAutoRedirect = false };
        if (System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal))
            handler.SslProtocols = System.Security.Authentication.SslProtocols.Tls12;
        return handler;
    }

    /// <summary>The cloud this stack serves.</summary>
    public CloudEnvironment Environment => _environment ?? throw new InvalidOperationException("This HTTP stack serves no cloud.");

    /// <summary>True when this stack trusts a pinned certificate for <paramref name="uri"/>'s host.</summary>
    public bool PinsHostOf(Uri uri) => _environment?.TrustedCertificate is not null && _environment.OwnsHost(uri);

    public RetryPolicy RetryPolicy { get; }

    /// <summary>The clock of this stack's retry waits and attempt timeouts.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>
    /// The module's own handlers, outermost first: insecure-redirect refusal, retry, one log line per attempt, then
    /// loopback for names under .localhost (<see cref="LocalhostNameHandler"/>).
    /// </summary>
    public IEnumerable<DelegatingHandler> CreateModuleHandlers() => new DelegatingHandler[]
    {
        new InsecureRedirectGuard(), new RetryHandler(RetryPolicy, TimeProvider), new RequestLogHandler(TimeProvider), new LocalhostNameHandler(),
    };

    /// <summary>The shared innermost handler (connection pool, certificate pin).</summary>
    public HttpMessageHandler PrimaryHandler => _primary;

    /// <summary>An HttpClient with retry and logging over the shared pool; disposing it keeps the pool.</summary>
    public HttpClient CreateClient() => new(Chain(CreateModuleHandlers(), _primary), disposeHandler: false)
    {
        // Each attempt is timed by the RetryHandler; a client-wide timeout would cut the retry budget short.
        Timeout = System.Threading.Timeout.InfiniteTimeSpan,
    };

    /// <summary>Links delegating handlers into one pipeline ending in <paramref name="inner"/>.</summary>
    public static HttpMessageHandler Chain(IEnumerable<DelegatingHandler> handlers, HttpMessageHandler inner)
    {
        var list = new List<DelegatingHandler>(handlers);
        for (var i = list.Count - 1; i >= 0; i--)
        {
            list[i].InnerHandler = inner;
            inner = list[i];
        }
        return inner;
    }

    public void Dispose() => _primary.Dispose();
}
