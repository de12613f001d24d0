using MailOAuth.Sandbox.Control;
using MailOAuth.Sandbox.Tenancy;
using MailOAuth.Sandbox.Entra;
using MailOAuth.Sandbox.Platform;

namespace MailOAuth.Sandbox.Hosting;

/// <summary>The state and services one sandbox instance shares between its endpoints.</summary>
public sealed class SandboxRuntime : IDisposable
{
    private readonly Lock _policyGate = new();
    private string? _baseUri;
    private SeededDirectory? _seed;
    private long _replicationLagTicks;
    private int? _secretLifetimeMaxDays;

    public SandboxRuntime(TimeProvider clock, SeedMaterial material, TokenSigningKey signingKey, TokenSigningKey issuerKey, TimeSpan replicationLag)
    {
        Clock = clock;
        Material = material;
        SigningKey = signingKey;
        IssuerKey = issuerKey;
        ReplicationLag = replicationLag;
    }

    public TimeProvider Clock { get; }

    /// <summary>Per-start secrets, the admin certificate and the managed identity header.</summary>
    public SeedMaterial Material { get; }

    /// <summary>What the last (re)seed created; fixed ids, so the start-up line stays true.</summary>
    public SeededDirectory Seed => _seed ?? throw new InvalidOperationException("The directory is not seeded yet.");

    /// <summary>The live directory (strongly consistent; see <see cref="IsReplicated"/>).</summary>
    public DirectoryStore Directory { get; } = new(SeedData.CreateTenant());

    /// <summary>Signs Entra's tokens (access and id tokens).</summary>
    public TokenSigningKey SigningKey { get; }

    /// <summary>Signs the tokens of the external OIDC issuer at <see cref="FederatedIssuer"/>.</summary>
    public TokenSigningKey IssuerKey { get; }

    public Outbox Outbox { get; } = new();

    public RequestLog RequestLog { get; } = new();

    public FaultStore Faults { get; } = new();

    /// <summary>Device codes and refresh tokens of the delegated (device code) flow.</summary>
    public DelegatedSessions Sessions { get; } = new();

    /// <summary>The reference reseller platform (docs/sandbox.md "Reseller platform"); attached once Kestrel listens.</summary>
    public PlatformState Platform
    {
        get => _platform ?? throw new InvalidOperationException("The platform is not attached yet.");
        set => _platform = value;
    }

    private PlatformState? _platform;

    /// <summary>https://127.0.0.1:PORT, no trailing slash; known once Kestrel listens.</summary>
    public string BaseUri
    {
        get => _baseUri ?? throw new InvalidOperationException("The sandbox is not listening yet.");
        set => _baseUri = value.TrimEnd('/');
    }

    /// <summary>Both "hosts" share one origin (docs/sandbox.md).</summary>
    public string AuthorityHost => BaseUri;

    public string GraphEndpoint => BaseUri;

    /// <summary>The sandbox's own external OIDC issuer (workload identity federation).</summary>
    public string FederatedIssuer => BaseUri + "/_sandbox/oidc";

    /// <summary>The managed identity endpoint (IDENTITY_ENDPOINT).</summary>
    public string IdentityEndpoint => BaseUri + "/_sandbox/msi/token";

    /// <summary>The start-up JSON line (set once the port is known).</summary>
    public string InfoJson { get; set; } = "{}";

    public DateTimeOffset Now => Clock.GetUtcNow();

    /// <summary>How long a new directory object stays invisible to eventually consistent readers.</summary>
    public TimeSpan ReplicationLag
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _replicationLagTicks));
        set => Interlocked.Exchange(ref _replicationLagTicks, Math.Max(0, value.Ticks));
    }

    /// <summary>
    /// How long a write that references a new object (addPassword on a new app, a service principal
    /// for it, a role assignment naming a new principal) still sees the replication symptom. Null = the
    /// same as <see cref="ReplicationLag"/>. Real directory writes catch up in seconds while the token
    /// service and list replicas take longer (wire §6), so tests can set the two apart.
    /// </summary>
    public TimeSpan? DirectoryWriteLag
    {
        get { var t = Interlocked.Read(ref _directoryWriteLagTicks); return t < 0 ? null : TimeSpan.FromTicks(t); }
        set => Interlocked.Exchange(ref _directoryWriteLagTicks, value is null ? -1 : Math.Max(0, value.Value.Ticks));
    }

    private long _directoryWriteLagTicks = -1;
    private long _mailLagTicks;

    /// <summary>
    /// How long after an app role assignment Exchange Online still refuses sendMail although tokens
    /// already carry the role (wire §6: "403 for a while" after consent). 0 = at once.
    /// </summary>
    public TimeSpan MailLag
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _mailLagTicks));
        set => Interlocked.Exchange(ref _mailLagTicks, Math.Max(0, value.Ticks));
    }

    /// <summary>Whether a write referencing an object created at <paramref name="createdDateTime"/> sees it.</summary>
    public bool IsReplicatedForWrites(DateTimeOffset createdDateTime) => Now >= createdDateTime + (DirectoryWriteLag ?? ReplicationLag);

    /// <summary>
    /// The tenant's app management policy: the longest password credential lifetime allowed, in
    /// days; null = no policy.
    /// </summary>
    public int? SecretLifetimeMaxDays
    {
        get
        {
            lock (_policyGate)
            {
                return _secretLifetimeMaxDays;
            }
        }
        set
        {
            lock (_policyGate)
            {
                _secretLifetimeMaxDays = value;
            }
        }
    }

    /// <summary>
    /// Whether an object created at <paramref name="createdDateTime"/> has replicated: visible to
    /// list queries, the token endpoint and the other eventually consistent readers (wire §6).
    /// </summary>
    public bool IsReplicated(DateTimeOffset createdDateTime) => Now >= createdDateTime + ReplicationLag;

    /// <summary>Seeds the directory (at start, once the base URI is known).</summary>
    public void SeedDirectory()
    {
        var seed = SeedData.Create(Now, Material, FederatedIssuer);
        Directory.ReplaceWith(seed.Store);
        // The seed's own store now shares the live state; hand out the live store only.
        _seed = seed with { Store = Directory };
    }

    /// <summary>POST /_sandbox/reset-directory: the seeded directory again, lag 0, no policy, no sessions.</summary>
    public void ResetDirectory()
    {
        SeedDirectory();
        ReplicationLag = TimeSpan.Zero;
        DirectoryWriteLag = null;
        MailLag = TimeSpan.Zero;
        SecretLifetimeMaxDays = null;
        Sessions.Clear();
    }

    public void Dispose()
    {
        _platform?.Dispose();
        SigningKey.Dispose();
        IssuerKey.Dispose();
        Material.Dispose();
    }
}
