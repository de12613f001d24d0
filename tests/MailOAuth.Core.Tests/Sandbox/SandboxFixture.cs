using System.Buffers.Text;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using MailOAuth.Sandbox.Hosting;
using Xunit;

namespace MailOAuth.Core.Tests.Sandbox;

/// <summary>One in-process sandbox shared by the sandbox tests (they run one after another).</summary>
public sealed class SandboxFixture : IAsyncLifetime
{
    public SandboxHost Host { get; private set; } = null!;

    /// <summary>Trusts exactly the sandbox certificate (thumbprint pinning), base address = baseUri.</summary>
    public HttpClient Client { get; private set; } = null!;

    public SandboxInfo Info => Host.Info;

    public async Task InitializeAsync()
    {
        Host = await SandboxHost.StartAsync();
        Client = CreatePinnedClient(Host.Certificate, Info.BaseUri);
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
    }

    public static HttpClient CreatePinnedClient(X509Certificate2 certificate, string baseUri)
    {
        var thumbprint = certificate.Thumbprint;
        var handler = new HttpClientHandler
        {
            // Pinning, for tests only: accept this one certificate and nothing else.
            ServerCertificateCustomValidationCallback = (_, cert, _, _) => cert is not null && cert.Thumbprint == thumbprint,
        };
        return new HttpClient(handler) { BaseAddress = new Uri(baseUri + "/") };
    }

    public Task ResetAsync() => Client.PostAsync("_sandbox/reset", null);

    public Task<HttpResponseMessage> RequestTokenAsync(
        SandboxApp app,
        string? secret = null,
        string? scope = null,
        string? tenant = null,
        string grantType = "client_credentials",
        string? clientRequestId = null,
        bool omitSecret = false) =>
        RequestTokenAsync(Client, Info, app.ClientId, omitSecret ? null : secret ?? app.ClientSecret, scope, tenant, grantType, clientRequestId);

    public static Task<HttpResponseMessage> RequestTokenAsync(
        HttpClient client,
        SandboxInfo info,
        string clientId,
        string? secret,
        string? scope = null,
        string? tenant = null,
        string grantType = "client_credentials",
        string? clientRequestId = null)
    {
        var form = new List<KeyValuePair<string, string>>
        {
            new("client_id", clientId),
            new("scope", scope ?? info.GraphEndpoint + "/.default"),
            new("grant_type", grantType),
        };
        if (secret is not null)
        {
            form.Add(new("client_secret", secret));
        }

        var request = new HttpRequestMessage(HttpMethod.Post, $"{tenant ?? info.TenantId}/oauth2/v2.0/token")
        {
            Content = new FormUrlEncodedContent(form),
        };
        if (clientRequestId is not null)
        {
            request.Headers.Add("client-request-id", clientRequestId);
        }

        return client.SendAsync(request);
    }

    public async Task<string> GetAccessTokenAsync(SandboxApp app)
    {
        using var response = await RequestTokenAsync(app);
        Assert.Equal(200, (int)response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("access_token").GetString()!;
    }

    public static HttpRequestMessage SendMailRequest(string user, string? token, string? body = null, string? clientRequestId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"v1.0/users/{Uri.EscapeDataString(user)}/sendMail")
        {
            Content = new StringContent(body ?? MailBody("other@contoso.com"), Encoding.UTF8, "application/json"),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (clientRequestId is not null)
        {
            request.Headers.Add("client-request-id", clientRequestId);
        }

        return request;
    }

    public static string MailBody(string to, string? from = null, string subject = "Sandbox test")
    {
        var message = new Dictionary<string, object>
        {
            ["subject"] = subject,
            ["body"] = new { contentType = "Text", content = "Hello from the sandbox tests." },
            ["toRecipients"] = new[] { new { emailAddress = new { address = to } } },
        };
        if (from is not null)
        {
            message["from"] = new { emailAddress = new { address = from } };
        }

        return JsonSerializer.Serialize(new { message, saveToSentItems = false });
    }

    /// <summary>A client-credentials token for any client (asserts 200).</summary>
    public static async Task<string> GetAccessTokenAsync(HttpClient client, SandboxInfo info, string clientId, string secret)
    {
        using var response = await RequestTokenAsync(client, info, clientId, secret);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.OK, $"token for {clientId}: {(int)response.StatusCode} {text}");
        using var json = JsonDocument.Parse(text);
        return json.RootElement.GetProperty("access_token").GetString()!;
    }

    /// <summary>A Graph call with a bearer token; body (object or raw JSON string) sent as application/json.</summary>
    public static async Task<GraphResult> GraphAsync(HttpClient client, HttpMethod method, string path, string? token, object? body = null, string? prefer = null)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (prefer is not null)
        {
            request.Headers.Add("Prefer", prefer);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body as string ?? JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new GraphResult((int)response.StatusCode, text, text.Length > 0 ? JsonDocument.Parse(text).RootElement.Clone() : default);
    }

    public Task<GraphResult> GraphAsync(HttpMethod method, string path, string? token, object? body = null, string? prefer = null) =>
        GraphAsync(Client, method, path, token, body, prefer);

    /// <summary>GET /_sandbox/directory.</summary>
    public static async Task<JsonElement> DirectoryAsync(HttpClient client) =>
        JsonDocument.Parse(await client.GetStringAsync("_sandbox/directory")).RootElement.Clone();

    public static JsonElement JwtPart(string jwt, int index) =>
        JsonDocument.Parse(Base64Url.DecodeFromChars(jwt.Split('.')[index])).RootElement;

    public static string[] PropertyNames(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name)];
}

/// <summary>Status, raw text and parsed body (default when empty) of a Graph response.</summary>
public sealed record GraphResult(int Status, string Text, JsonElement Body)
{
    public string? ErrorCode => Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty("error", out var e) ? e.GetProperty("code").GetString() : null;

    public string? ErrorMessage => Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty("error", out var e) ? e.GetProperty("message").GetString() : null;

    public string String(string name) => Body.GetProperty(name).GetString()!;

    public void AssertStatus(int expected) => Assert.True(expected == Status, $"expected {expected}, got {Status}: {Text}");
}

/// <summary>A clock the tests move by hand (replication lag, expiry) — no waiting.</summary>
public sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    private long _ticks = now.UtcTicks;

    public DateTimeOffset Now => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => Now;
}

[CollectionDefinition(Name)]
public sealed class SandboxCollection : ICollectionFixture<SandboxFixture>
{
    public const string Name = "Sandbox";
}

/// <summary>
/// A sandbox of its own on a clock the tests move (the 30-day purge, the Exchange permission cache: nothing waits) and
/// free to reset; a derived fixture adds start options (<see cref="CreateOptions"/>).
/// </summary>
public class ClockedSandboxFixture : IAsyncLifetime
{
    public ManualClock Clock { get; } = new(DateTimeOffset.UtcNow);

    public SandboxHost Host { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public SandboxInfo Info => Host.Info;

    public async Task InitializeAsync()
    {
        Host = await SandboxHost.StartAsync(CreateOptions());
        Client = SandboxFixture.CreatePinnedClient(Host.Certificate, Info.BaseUri);
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
    }

    protected virtual SandboxOptions CreateOptions() => new() { TimeProvider = Clock };
}
