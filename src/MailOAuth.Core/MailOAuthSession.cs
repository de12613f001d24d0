using System;
using System.Collections.Generic;
using MailOAuth.Core.Auth;
using MailOAuth.Core.Cloud;
using MailOAuth.Core.Graph;
using MailOAuth.Core.Http;
using MailOAuth.Core.Resilience;
using Microsoft.Graph;

namespace MailOAuth.Core;

/// <summary>
/// Everything one PowerShell session (runspace) keeps between commands: its clouds, one HTTP stack
/// per cloud, and one token source per (cloud, tenant, client, secret) so that repeated commands
/// reuse tokens. Instances are independent: nothing here is static.
/// </summary>
public sealed class MailOAuthSession : IDisposable
{
    private readonly object _gate = new();
    private readonly Dictionary<string, HttpStack> _stacks = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, AppClient> _appClients = new(StringComparer.Ordinal);

    /// <summary>A session on the machine's clock.</summary>
    /// <param name="retryPolicy">The retry policy of every HTTP call; null: <see cref="Resilience.RetryPolicy.Default"/>.</param>
    /// <remarks>
    /// The cmdlets call this overload. Its signature names no TimeProvider on purpose: a call to one that
    /// did would make the cmdlet assembly reference Microsoft.Bcl.TimeProvider, which only Core's own load
    /// context can resolve on PowerShell 7 (the default context sees MailOAuth.Core alone).
    /// </remarks>
    public MailOAuthSession(RetryPolicy? retryPolicy = null) : this(retryPolicy, null) { }

    /// <param name="retryPolicy">The retry policy of every HTTP call; null: <see cref="Resilience.RetryPolicy.Default"/>.</param>
    /// <param name="timeProvider">The clock every wait, deadline and timestamp of this session reads;
    /// null: <see cref="System.TimeProvider.System"/>. Tests pass a fake clock.</param>
    public MailOAuthSession(RetryPolicy? retryPolicy, TimeProvider? timeProvider)
    {
        RetryPolicy = retryPolicy ?? RetryPolicy.Default;
        TimeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The clock of this session: retry waits, replication waits, deadlines, timestamps.</summary>
    public TimeProvider TimeProvider { get; }

    public EnvironmentRegistry Environments { get; } = new();

    /// <summary>The admin connection from Connect-MailOAuth, or null.</summary>
    public Auth.AdminConnection? Connection { get; set; }

    /// <summary>The admin connection, or a NotConnected diagnosis.</summary>
    public Auth.AdminConnection RequireConnection() =>
        Connection ?? throw new Diagnostics.MailOAuthException(Diagnostics.DiagnosisCatalog.NotConnected());
    public RetryPolicy RetryPolicy { get; }

    /// <summary>The HTTP stack of an environment (rebuilt if the environment was redefined).</summary>
    public HttpStack HttpFor(CloudEnvironment environment)
    {
        lock (_gate)
        {
            if (_stacks.TryGetValue(environment.Name, out var stack) && ReferenceEquals(stack.Environment, environment)) return stack;
            stack = CloudTransport?.Invoke(environment) is { } transport
                ? new HttpStack(environment, RetryPolicy, TimeProvider, transport)
                : new HttpStack(environment, RetryPolicy, TimeProvider);
            _stacks[environment.Name] = stack;
            return stack;
        }
    }

    /// <summary>
    /// A test seam: the transport of a cloud's stack, or null for the real one. Lets tests answer a built-in
    /// cloud (whose hosts are Microsoft's) without the network; the module never sets it.
    /// </summary>
    internal Func<CloudEnvironment, System.Net.Http.HttpMessageHandler?>? CloudTransport { get; set; }

    private HttpStack? _publicStack;

    /// <summary>
    /// The HTTP stack for a platform URI: the stack of a custom environment that pins a certificate for
    /// that host (the sandbox's platform), else one with the machine's normal trust store.
    /// </summary>
    public HttpStack HttpForPlatform(Uri platformUri)
    {
        lock (_gate)
        {
            foreach (var env in Environments.All)
                if (env.TrustedCertificate is not null && env.OwnsHost(platformUri)) return HttpFor(env);
            return _publicStack ??= new HttpStack(RetryPolicy, TimeProvider);
        }
    }

    private readonly Dictionary<string, HttpStack> _platformStacks = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The HTTP stack for a platform URI with a certificate trusted for its host only (-PlatformCertificatePath);
    /// without one, <see cref="HttpForPlatform(Uri)"/>. One per host, port and certificate.
    /// </summary>
    public HttpStack HttpForPlatform(Uri platformUri, System.Security.Cryptography.X509Certificates.X509Certificate2? trusted)
    {
        if (trusted is null) return HttpForPlatform(platformUri);
        var key = $"{platformUri.Host}:{platformUri.Port}|{trusted.Thumbprint}";
        lock (_gate)
        {
            if (!_platformStacks.TryGetValue(key, out var stack))
                _platformStacks[key] = stack = new HttpStack(platformUri, trusted, RetryPolicy, TimeProvider);
            return stack;
        }
    }

    /// <summary>
    /// The token source and Graph client for an app signing in with a client secret: one per
    /// (environment, tenant, client, secret), reused so that a second send needs no new token.
    /// </summary>
    public AppClient AppClientFor(CloudEnvironment environment, string tenantId, string clientId, string clientSecret)
    {
        var key = string.Join("|", environment.Name, environment.AuthorityHost, tenantId.ToLowerInvariant(), clientId.ToLowerInvariant(), SecretText.Fingerprint(clientSecret));
        lock (_gate)
        {
            if (_appClients.TryGetValue(key, out var existing) && ReferenceEquals(existing.Tokens.Environment, environment)) return existing;
            var http = HttpFor(environment);
            var tokens = TokenSource.ForClientSecret(http, tenantId, clientId, clientSecret);
            var client = new AppClient(tokens, GraphClients.Create(http, tokens));
            _appClients[key] = client;
            return client;
        }
    }

    /// <summary>
    /// Forgets cached app credentials for a client: after a grant, a token issued before it never gains
    /// the new role (docs/service-behaviour.md#replication), so the next send must get a fresh one.
    /// </summary>
    public void ForgetAppClients(string clientId)
    {
        var marker = "|" + clientId.ToLowerInvariant() + "|";
        lock (_gate)
        {
            foreach (var key in new List<string>(_appClients.Keys))
                if (key.Contains(marker)) _appClients.Remove(key);
        }
    }

    /// <summary>
    /// Ends the admin connection and drops every cached app credential (and so the secret copies their
    /// token sources hold): Disconnect-MailOAuth.
    /// </summary>
    public void ForgetCredentials()
    {
        lock (_gate)
        {
            Connection = null;
            _appClients.Clear();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var stack in _stacks.Values) stack.Dispose();
            _stacks.Clear();
            _publicStack?.Dispose();
            foreach (var stack in _platformStacks.Values) stack.Dispose();
            _platformStacks.Clear();
            _appClients.Clear();
            Connection = null;
        }
    }
}

/// <summary>An app's token source and the Graph client that uses it.</summary>
public sealed class AppClient
{
    public AppClient(TokenSource tokens, GraphServiceClient graph)
    {
        Tokens = tokens;
        Graph = graph;
    }

    public TokenSource Tokens { get; }
    public GraphServiceClient Graph { get; }
}
