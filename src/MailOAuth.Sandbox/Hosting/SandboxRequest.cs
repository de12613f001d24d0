using System.Text.RegularExpressions;

namespace MailOAuth.Sandbox.Hosting;

/// <summary>What part of the sandbox a request is for; also the request log's <c>kind</c>.</summary>
public enum RequestKind
{
    Token,
    Graph,
    Discovery,
    Platform,
    Control,

    /// <summary>Graph directory endpoints: applications, servicePrincipals, users, domains, organization, directory/deletedItems.</summary>
    Directory,

    /// <summary>The managed identity endpoint (App Service protocol, <c>/_sandbox/msi/token</c>).</summary>
    Msi,
}

/// <summary>Per-request facts shared by the middlewares and the handlers.</summary>
public sealed partial class SandboxRequest
{
    private const string ItemKey = "MailOAuth.Sandbox.Request";

    private SandboxRequest(RequestKind kind, string? clientRequestId)
    {
        Kind = kind;
        ClientRequestId = clientRequestId;
    }

    public RequestKind Kind { get; }

    /// <summary>Graph's <c>request-id</c>, or Entra's trace id / <c>x-ms-request-id</c>.</summary>
    public string RequestId { get; } = Guid.NewGuid().ToString();

    /// <summary>The client's <c>client-request-id</c> header, if it sent one.</summary>
    public string? ClientRequestId { get; }

    /// <summary>Graph's <c>client-request-id</c>: the client's, else equal to request-id (docs/service-behaviour.md#graph-error-body).</summary>
    public string EffectiveClientRequestId => string.IsNullOrEmpty(ClientRequestId) ? RequestId : ClientRequestId;

    /// <summary>Entra's correlation id: the client's <c>client-request-id</c> when it is a GUID, else a new one (docs/service-behaviour.md#entra-error-body).</summary>
    public string CorrelationId { get; private set; } = Guid.NewGuid().ToString();

    /// <summary>The client (appId) behind the request, for the log: never a secret.</summary>
    public string? ClientId { get; set; }

    /// <summary>Set when a fault aborted the connection; the log then records status 0.</summary>
    public bool Aborted { get; set; }

    public static SandboxRequest Begin(HttpContext context)
    {
        var header = context.Request.Headers["client-request-id"].ToString();
        var request = new SandboxRequest(Classify(context.Request.Path.Value ?? "/"), header.Length == 0 ? null : header);
        if (Guid.TryParse(header, out var correlation))
        {
            request.CorrelationId = correlation.ToString();
        }

        context.Items[ItemKey] = request;
        return request;
    }

    public static SandboxRequest Get(HttpContext context) =>
        context.Items.TryGetValue(ItemKey, out var value) && value is SandboxRequest request ? request : Begin(context);

    public static RequestKind Classify(string path)
    {
        if (path.StartsWith("/_sandbox/msi/", StringComparison.OrdinalIgnoreCase))
        {
            return RequestKind.Msi;
        }

        if (path.StartsWith("/_sandbox", StringComparison.OrdinalIgnoreCase))
        {
            return RequestKind.Control;
        }

        if (path.StartsWith("/v1.0/", StringComparison.OrdinalIgnoreCase) || path.StartsWith("/beta/", StringComparison.OrdinalIgnoreCase))
        {
            return IsDirectoryPath(path) ? RequestKind.Directory : RequestKind.Graph;
        }

        if (TokenPath().IsMatch(path))
        {
            return RequestKind.Token;
        }

        if (DiscoveryPath().IsMatch(path))
        {
            return RequestKind.Discovery;
        }

        if (IsPlatformPath(path))
        {
            return RequestKind.Platform;
        }

        return RequestKind.Graph;
    }

    /// <summary>The reseller platform: its API (<c>/api/</c>, the alternative <c>/rest/</c>) and its admin pages (<c>/admin</c>).</summary>
    private static bool IsPlatformPath(string path) =>
        path.StartsWith("/api/", StringComparison.OrdinalIgnoreCase)
        || path.StartsWith("/rest/", StringComparison.OrdinalIgnoreCase)
        || path.StartsWith("/admin/", StringComparison.OrdinalIgnoreCase)
        || path.Equals("/admin", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Directory objects (the path as decoded, so <c>applications(uniqueName='x')</c> too), except
    /// the mailbox actions under users and me (sendMail stays <c>graph</c>).
    /// </summary>
    private static bool IsDirectoryPath(string path)
    {
        var rest = path[(path.IndexOf('/', 1) + 1)..];
        var first = rest.Split('/', 2)[0];
        var parenthesis = first.IndexOf('(');
        var segment = parenthesis >= 0 ? first[..parenthesis] : first;
        if (!DirectorySegments.Contains(segment))
        {
            return false;
        }

        return !rest.EndsWith("/sendMail", StringComparison.OrdinalIgnoreCase);
    }

    private static readonly HashSet<string> DirectorySegments = new(StringComparer.OrdinalIgnoreCase)
    {
        "applications", "servicePrincipals", "users", "me", "domains", "organization", "directoryObjects", "directory", "roleManagement",
    };

    [GeneratedRegex(@"^/[^/]+/oauth2/(v2\.0/)?(token|devicecode)/?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex TokenPath();

    [GeneratedRegex(@"^/[^/]+/(discovery/|v2\.0/\.well-known/|\.well-known/)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DiscoveryPath();
}
