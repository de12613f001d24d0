using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MailOAuth.Core.Auth;
using MailOAuth.Core.Diagnostics;
using MailOAuth.Core.Resilience;
using MailOAuth.Sandbox.Hosting;
using Xunit;

namespace MailOAuth.Core.Tests.Entra;

/// <summary>
/// One in-process sandbox per test class that uses it (IClassFixture), with the helpers Core tests
/// need: a pinned control client, sessions pointed at the sandbox as a custom cloud, the admin sign-in,
/// the request log and the directory snapshot.
/// </summary>
public class CoreSandboxFixture : IAsyncLifetime
{
    public const string EnvironmentName = "Sandbox";

    public CoreSandboxFixture() { }

    /// <summary>A sandbox and sessions that share <paramref name="clock"/>: see <see cref="ClockedSandboxFixture"/>.</summary>
    protected CoreSandboxFixture(TestClock clock) => Clock = clock;

    /// <summary>The fake clock of the sandbox and of every session, or null for the machine's clock.</summary>
    public TestClock? Clock { get; }

    public SandboxHost Host { get; private set; } = null!;

    /// <summary>Trusts exactly the sandbox certificate; base address = the sandbox's base URI.</summary>
    public HttpClient Control { get; private set; } = null!;

    public SandboxInfo Info => Host.Info;

    public async Task InitializeAsync()
    {
        Host = await SandboxHost.StartAsync(new SandboxOptions { TimeProvider = Clock });
        Control = Host.CreateControlClient();
    }

    public async Task DisposeAsync()
    {
        Control.Dispose();
        await Host.DisposeAsync();
    }

    public static CancellationToken Timeout(int seconds = 30) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    /// <summary>A session with the sandbox as the custom cloud "Sandbox" (its certificate pinned for its hosts only).</summary>
    public MailOAuthSession NewSession()
    {
        // On a fake clock, no per-attempt timeout: its timer is not waited for when the answer comes first,
        // and TestClock.RunAsync would move time through it.
        var session = new MailOAuthSession(
            new RetryPolicy(maxRetries: 2, maxTotalWait: TimeSpan.FromSeconds(5), baseDelay: TimeSpan.FromMilliseconds(50),
                attemptTimeout: Clock is null ? null : System.Threading.Timeout.InfiniteTimeSpan),
            Clock);
        session.Environments.Add(EnvironmentName, new Uri(Info.AuthorityHost), new Uri(Info.GraphEndpoint), Host.Certificate,
            Info.KeyVault.Suffix, new Uri(Info.KeyVault.Audience));
        return session;
    }

    public ConnectRequest AdminSecretRequest(string? tenant = null, string? secret = null) => new()
    {
        TenantId = tenant ?? Info.TenantId,
        EnvironmentName = EnvironmentName,
        Method = ConnectMethod.ClientSecret,
        ClientId = Info.Admin.ClientId,
        ClientSecret = SecretText.Protect(secret ?? Info.Admin.ClientSecret),
    };

    /// <summary>Connect-MailOAuth as the seeded admin app (client secret).</summary>
    public Task<AdminConnection> ConnectAdminAsync(MailOAuthSession session) =>
        new ConnectionService(session).ConnectAsync(AdminSecretRequest(), null, Timeout());

    public async Task PostControlAsync(string path, object? body = null)
    {
        using var response = body is null ? await Control.PostAsync(path, null) : await Control.PostAsJsonAsync(path, body);
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Faults, outbox and request log cleared.</summary>
    public Task ResetAsync() => PostControlAsync("_sandbox/reset");

    /// <summary>The seeded directory again: objects created since are gone, lag 0, no secret-lifetime policy.</summary>
    public Task ResetDirectoryAsync() => PostControlAsync("_sandbox/reset-directory");

    public Task ResetPlatformAsync() => PostControlAsync("_sandbox/reset-platform");

    public Task SetReplicationAsync(int lagSeconds, int? directoryLagSeconds = null) =>
        PostControlAsync("_sandbox/replication", directoryLagSeconds is null
            ? new { lagSeconds }
            : new { lagSeconds, directoryLagSeconds = directoryLagSeconds.Value });

    public async Task ClearRequestLogAsync()
    {
        using var response = await Control.DeleteAsync("_sandbox/requests");
        Assert.True(response.IsSuccessStatusCode, $"clear log: {(int)response.StatusCode}");
    }

    /// <summary>The request log (control requests are not in it).</summary>
    public async Task<List<LogEntry>> RequestsAsync()
    {
        using var json = JsonDocument.Parse(await Control.GetStringAsync("_sandbox/requests"));
        return json.RootElement.EnumerateArray().Select(e => new LogEntry(
            e.GetProperty("kind").GetString()!,
            e.GetProperty("method").GetString()!,
            e.GetProperty("path").GetString()!,
            e.GetProperty("status").GetInt32(),
            e.TryGetProperty("clientId", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null)).ToList();
    }

    /// <summary>Directory writes (POST/PATCH/DELETE of kind "directory") in the request log.</summary>
    public async Task<List<LogEntry>> DirectoryWritesAsync() =>
        (await RequestsAsync()).Where(r => r.Kind == "directory" && r.Method is "POST" or "PATCH" or "DELETE" or "PUT").ToList();

    /// <summary>GET /_sandbox/directory: the directory as the primary sees it.</summary>
    public async Task<JsonElement> DirectoryAsync()
    {
        using var json = JsonDocument.Parse(await Control.GetStringAsync("_sandbox/directory"));
        return json.RootElement.Clone();
    }

    public static IEnumerable<JsonElement> Items(JsonElement directory, string collection) => directory.GetProperty(collection).EnumerateArray();

    public static List<JsonElement> AppsWithAppId(JsonElement directory, string appId) =>
        Items(directory, "applications").Where(a => a.GetProperty("appId").GetString() == appId).ToList();

    public static List<JsonElement> ServicePrincipalsFor(JsonElement directory, string appId) =>
        Items(directory, "servicePrincipals").Where(s => s.GetProperty("appId").GetString() == appId).ToList();

    public static List<JsonElement> AssignmentsOf(JsonElement directory, string principalId) =>
        Items(directory, "appRoleAssignments").Where(a => a.GetProperty("principalId").GetString() == principalId).ToList();

    /// <summary>A client-credentials token straight from the sandbox's token endpoint (status and body).</summary>
    public async Task<(int Status, JsonElement Body)> RawTokenAsync(string clientId, string secret)
    {
        var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_id"] = clientId,
            ["client_secret"] = secret,
            ["scope"] = Info.GraphEndpoint + "/.default",
            ["grant_type"] = "client_credentials",
        });
        using var response = await Control.PostAsync($"{Info.TenantId}/oauth2/v2.0/token", form);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return ((int)response.StatusCode, json.RootElement.Clone());
    }

    /// <summary>A client-credentials access token (asserts 200).</summary>
    public async Task<string> AccessTokenAsync(string clientId, string secret)
    {
        var (status, body) = await RawTokenAsync(clientId, secret);
        Assert.True(status == 200, $"token for {clientId}: {status} {body}");
        return body.GetProperty("access_token").GetString()!;
    }

    public Task<string> AdminAccessTokenAsync() => AccessTokenAsync(Info.Admin.ClientId, Info.Admin.ClientSecret);

    /// <summary>A raw Graph call with a bearer token (the JSON body, if any, parsed).</summary>
    public async Task<(int Status, JsonElement Body)> GraphAsync(HttpMethod method, string path, string token, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null) request.Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        using var response = await Control.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>The payload of a JWT.</summary>
    public static JsonElement JwtPayload(string jwt)
    {
        var part = jwt.Split('.')[1].Replace('-', '+').Replace('_', '/');
        part = part.PadRight(part.Length + (4 - part.Length % 4) % 4, '=');
        using var json = JsonDocument.Parse(Convert.FromBase64String(part));
        return json.RootElement.Clone();
    }

    public static string[] Roles(string jwt) =>
        JwtPayload(jwt).TryGetProperty("roles", out var roles) ? roles.EnumerateArray().Select(r => r.GetString()!).ToArray() : [];
}

/// <summary>
/// A sandbox whose clock (tokens, secrets, replication lag) is the sessions' clock (retry and replication
/// waits): a replication lag is ridden out in fake time, exactly and without waiting. The clock starts at
/// the real now, since Azure.Identity/MSAL judge the sandbox's tokens by the machine's clock.
/// </summary>
public sealed class ClockedSandboxFixture() : CoreSandboxFixture(new TestClock(DateTimeOffset.UtcNow))
{
    public new TestClock Clock => base.Clock!;
}

public sealed record LogEntry(string Kind, string Method, string Path, int Status, string? ClientId);

/// <summary>Collects everything Core reports (thread-safe: Core reports from worker threads).</summary>
public sealed class RecordingReporter : IOperationReporter
{
    private readonly object _gate = new();
    private readonly List<string> _verbose = new();
    private readonly List<string> _debug = new();
    private readonly List<string> _warnings = new();
    private readonly List<ProgressUpdate> _progress = new();

    public IReadOnlyList<string> VerboseMessages { get { lock (_gate) return _verbose.ToList(); } }
    public IReadOnlyList<string> DebugMessages { get { lock (_gate) return _debug.ToList(); } }
    public IReadOnlyList<string> Warnings { get { lock (_gate) return _warnings.ToList(); } }
    public IReadOnlyList<ProgressUpdate> ProgressUpdates { get { lock (_gate) return _progress.ToList(); } }

    public void Verbose(string message) { lock (_gate) _verbose.Add(message); }
    public void Debug(string message) { lock (_gate) _debug.Add(message); }
    public void Warning(string message) { lock (_gate) _warnings.Add(message); }
    public void Progress(ProgressUpdate update) { lock (_gate) _progress.Add(update); }
}
