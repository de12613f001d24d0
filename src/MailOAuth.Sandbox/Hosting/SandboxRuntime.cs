using MailOAuth.Sandbox.Control;
using MailOAuth.Sandbox.Directory;
using MailOAuth.Sandbox.Entra;

namespace MailOAuth.Sandbox.Hosting;

/// <summary>The state and services one sandbox instance shares between its endpoints.</summary>
public sealed class SandboxRuntime : IDisposable
{
    private string? _baseUri;

    public SandboxRuntime(TimeProvider clock, SeededDirectory seed, TokenSigningKey signingKey)
    {
        Clock = clock;
        Seed = seed;
        SigningKey = signingKey;
    }

    public TimeProvider Clock { get; }

    public SeededDirectory Seed { get; }

    public DirectoryStore Directory => Seed.Store;

    public TokenSigningKey SigningKey { get; }

    public Outbox Outbox { get; } = new();

    public RequestLog RequestLog { get; } = new();

    public FaultStore Faults { get; } = new();

    /// <summary>https://127.0.0.1:PORT, no trailing slash; known once Kestrel listens.</summary>
    public string BaseUri
    {
        get => _baseUri ?? throw new InvalidOperationException("The sandbox is not listening yet.");
        set => _baseUri = value.TrimEnd('/');
    }

    /// <summary>Both "hosts" share one origin (docs/sandbox.md).</summary>
    public string AuthorityHost => BaseUri;

    public string GraphEndpoint => BaseUri;

    /// <summary>The start-up JSON line (set once the port is known).</summary>
    public string InfoJson { get; set; } = "{}";

    public DateTimeOffset Now => Clock.GetUtcNow();

    public void Dispose() => SigningKey.Dispose();
}
