using MailOAuth.Sandbox.Control;
using MailOAuth.Sandbox.Dns;
using MailOAuth.Sandbox.Entra;
using MailOAuth.Sandbox.Platform;
using MailOAuth.Sandbox.Tenancy;

namespace MailOAuth.Sandbox.Hosting;

/// <summary>
/// The state and services one sandbox instance shares between its endpoints, made whole before
/// the first request: the host picks the port first, so the base URI, the seed (whose federated
/// credential names it) and the platform exist from the start. Each piece of state has one owner
/// with one lock (the directory, sessions, outbox, request log, faults, platform); what is here
/// besides is the replication and policy knobs the control endpoints turn.
/// </summary>
public sealed class SandboxRuntime : IDisposable
{
    private DirectoryStore _directory;
    private long _replicationLagTicks;

    /// <param name="clock">The time every endpoint reads (a fake one in tests).</param>
    /// <param name="baseUri">https://127.0.0.1:PORT, the port already chosen.</param>
    /// <param name="material">Per-start secrets, the admin certificate and the managed identity header (owned).</param>
    /// <param name="signingKey">Signs Entra's tokens (owned).</param>
    /// <param name="issuerKey">Signs the external OIDC issuer's tokens (owned).</param>
    /// <param name="platform">The reference reseller platform (owned).</param>
    /// <param name="replicationLag">The initial <see cref="ReplicationLag"/>.</param>
    /// <param name="dnsServer">The DNS server on loopback, already answering from its store (owned).</param>
    public SandboxRuntime(
        TimeProvider clock,
        string baseUri,
        SeedMaterial material,
        TokenSigningKey signingKey,
        TokenSigningKey issuerKey,
        PlatformState platform,
        TimeSpan replicationLag,
        SandboxDnsServer dnsServer)
    {
        Clock = clock;
        BaseUri = baseUri.TrimEnd('/');
        Material = material;
        SigningKey = signingKey;
        IssuerKey = issuerKey;
        Platform = platform;
        ReplicationLag = replicationLag;
        DnsServer = dnsServer;
        (_directory, Seed) = SeedData.Create(Now, Material, FederatedIssuer);
        // The admin identities hold Key Vault Secrets Officer on the "mailoauth" vault (docs/sandbox.md "Key Vault").
        KeyVaults = new KeyVault.KeyVaultStore(new HashSet<Guid>
        {
            Seed.Admin.ServicePrincipalId, Seed.SystemAssignedIdentity.ServicePrincipalId, Seed.UserAssignedIdentity.ServicePrincipalId, Seed.AdminUser.Id,
        });
    }

    /// <summary>The sandbox's vaults and their secrets (one lock); left alone by the directory and platform resets.</summary>
    public KeyVault.KeyVaultStore KeyVaults { get; }

    public TimeProvider Clock { get; }

    /// <summary>Per-start secrets, the admin certificate and the managed identity header.</summary>
    public SeedMaterial Material { get; }

    /// <summary>What the seed created; fixed ids and per-start secrets, so a reseed gives the same (and the start-up line stays true).</summary>
    public SeededDirectory Seed { get; }

    /// <summary>The live directory (strongly consistent; see <see cref="IsReplicated"/>); a reset swaps in a fresh one.</summary>
    public DirectoryStore Directory => Volatile.Read(ref _directory);

    /// <summary>Signs Entra's tokens (access and id tokens).</summary>
    public TokenSigningKey SigningKey { get; }

    /// <summary>Signs the tokens of the external OIDC issuer at <see cref="FederatedIssuer"/>.</summary>
    public TokenSigningKey IssuerKey { get; }

    public Outbox Outbox { get; } = new();

    public RequestLog RequestLog { get; } = new();

    public FaultStore Faults { get; } = new();

    /// <summary>Device codes and refresh tokens of the delegated (device code) flow.</summary>
    public DelegatedSessions Sessions { get; } = new();

    /// <summary>The DNS server on 127.0.0.1 (UDP and TCP) serving the seeded domains (docs/sandbox.md "DNS").</summary>
    public SandboxDnsServer DnsServer { get; }

    /// <summary>The DNS server's records and its answering switch (one lock).</summary>
    public DnsRecordStore DnsRecords => DnsServer.Records;

    /// <summary>The reference reseller platform (docs/sandbox.md "Reseller platform").</summary>
    public PlatformState Platform { get; }

    /// <summary>https://127.0.0.1:PORT, no trailing slash.</summary>
    public string BaseUri { get; }

    /// <summary>Both "hosts" share one origin (docs/sandbox.md).</summary>
    public string AuthorityHost => BaseUri;

    public string GraphEndpoint => BaseUri;

    /// <summary>The sandbox's own external OIDC issuer (workload identity federation).</summary>
    public string FederatedIssuer => BaseUri + "/_sandbox/oidc";

    /// <summary>The managed identity endpoint (IDENTITY_ENDPOINT).</summary>
    public string IdentityEndpoint => BaseUri + "/_sandbox/msi/token";

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
    /// service and list replicas take longer (docs/service-behaviour.md#replication), so tests can set the two apart.
    /// </summary>
    public TimeSpan? DirectoryWriteLag
    {
        get { var t = Interlocked.Read(ref _directoryWriteLagTicks); return t < 0 ? null : TimeSpan.FromTicks(t); }
        set => Interlocked.Exchange(ref _directoryWriteLagTicks, value is null ? -1 : Math.Max(0, value.Value.Ticks));
    }

    private long _directoryWriteLagTicks = -1;
    private long _removalLagTicks = -1;

    /// <summary>
    /// How long a removed client secret still gets tokens (docs/service-behaviour.md#remove-password-replication: the removal replicates
    /// like any change). Null = the same as <see cref="ReplicationLag"/>.
    /// </summary>
    public TimeSpan? RemovalLag
    {
        get { var t = Interlocked.Read(ref _removalLagTicks); return t < 0 ? null : TimeSpan.FromTicks(t); }
        set => Interlocked.Exchange(ref _removalLagTicks, value is null ? -1 : Math.Max(0, value.Value.Ticks));
    }

    /// <summary>Whether the removal of a secret at <paramref name="removedDateTime"/> has reached the token endpoint.</summary>
    public bool IsRemovalReplicated(DateTimeOffset removedDateTime) => Now >= removedDateTime + (RemovalLag ?? ReplicationLag);
    private long _mailLagTicks;

    /// <summary>
    /// How long after an app role assignment Exchange Online still refuses sendMail although tokens
    /// already carry the role (docs/service-behaviour.md#replication: "403 for a while" after consent). 0 = at once.
    /// </summary>
    public TimeSpan MailLag
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _mailLagTicks));
        set => Interlocked.Exchange(ref _mailLagTicks, Math.Max(0, value.Ticks));
    }

    /// <summary>Whether a write referencing an object created at <paramref name="createdDateTime"/> sees it.</summary>
    public bool IsReplicatedForWrites(DateTimeOffset createdDateTime) => Now >= createdDateTime + (DirectoryWriteLag ?? ReplicationLag);

    /// <summary>
    /// Whether an object created at <paramref name="createdDateTime"/> has replicated: visible to
    /// list queries, the token endpoint and the other eventually consistent readers (docs/service-behaviour.md#replication).
    /// </summary>
    public bool IsReplicated(DateTimeOffset createdDateTime) => Now >= createdDateTime + ReplicationLag;

    /// <summary>
    /// POST /_sandbox/reset-directory: a freshly seeded directory (no secret lifetime policy), lag 0,
    /// no sessions. The new store replaces the old one whole; nothing is shared between them.
    /// </summary>
    public void ResetDirectory()
    {
        var (store, _) = SeedData.Create(Now, Material, FederatedIssuer);
        Volatile.Write(ref _directory, store);
        ReplicationLag = TimeSpan.Zero;
        DirectoryWriteLag = null;
        RemovalLag = null;
        MailLag = TimeSpan.Zero;
        Sessions.Clear();
    }

    public void Dispose()
    {
        DnsServer.Dispose();
        Platform.Dispose();
        SigningKey.Dispose();
        IssuerKey.Dispose();
        Material.Dispose();
    }
}
