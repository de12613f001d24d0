using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MailOAuth.Sandbox.Tenancy;
using MailOAuth.Sandbox.Hosting;

namespace MailOAuth.Sandbox.Graph;

/// <summary>
/// One path segment of a Graph URL: <c>applications</c>, <c>applications(uniqueName='x')</c>,
/// <c>servicePrincipals(appId='…')</c> or <c>applications('id')</c> (KeyName null).
/// </summary>
public sealed record PathSegment(string Name, string? KeyName, string? KeyValue)
{
    public bool HasKey => KeyValue is not null;

    public bool Is(string name) => string.Equals(Name, name, StringComparison.OrdinalIgnoreCase) && !HasKey;

    /// <summary>
    /// Splits the decoded path after <c>/v1.0/</c> into segments; '/' inside quotes does not split,
    /// and <c>''</c> inside a quoted key is one quote (OData). Null when the syntax is broken.
    /// </summary>
    public static IReadOnlyList<PathSegment>? ParsePath(string rest)
    {
        var segments = new List<PathSegment>();
        var current = new StringBuilder();
        var quoted = false;
        foreach (var c in rest)
        {
            if (c == '\'')
            {
                quoted = !quoted;
            }

            if (c == '/' && !quoted)
            {
                if (current.Length > 0)
                {
                    segments.Add(ParseSegment(current.ToString()) ?? new PathSegment("", null, null));
                }

                current.Clear();
                continue;
            }

            current.Append(c);
        }

        if (quoted)
        {
            return null;
        }

        if (current.Length > 0)
        {
            segments.Add(ParseSegment(current.ToString()) ?? new PathSegment("", null, null));
        }

        return segments.Any(s => s.Name.Length == 0) ? null : segments;
    }

    private static PathSegment? ParseSegment(string text)
    {
        var open = text.IndexOf('(');
        if (open < 0)
        {
            return new PathSegment(text, null, null);
        }

        if (!text.EndsWith(')') || open == 0)
        {
            return null;
        }

        var name = text[..open];
        var inside = text[(open + 1)..^1].Trim();
        string? keyName = null;
        var equals = inside.IndexOf('=');
        if (equals > 0 && !inside[..equals].Contains('\''))
        {
            keyName = inside[..equals].Trim();
            inside = inside[(equals + 1)..].Trim();
        }

        if (inside.Length >= 2 && inside[0] == '\'' && inside[^1] == '\'')
        {
            inside = inside[1..^1].Replace("''", "'");
        }

        return new PathSegment(name, keyName, inside);
    }
}

/// <summary>An authenticated Graph directory request and the helpers every handler needs.</summary>
public sealed class DirectoryRequest(HttpContext http, SandboxRuntime runtime, GraphCaller caller, IReadOnlyList<PathSegment> segments)
{
    public HttpContext Http { get; } = http;

    public SandboxRuntime Runtime { get; } = runtime;

    public GraphCaller Caller { get; } = caller;

    public IReadOnlyList<PathSegment> Segments { get; } = segments;

    public DateTimeOffset Now { get; } = runtime.Now;

    public DirectoryStore Directory => Runtime.Directory;

    public string Method => Http.Request.Method;

    /// <summary><c>{graph}/v1.0/$metadata#</c>: the prefix of every <c>@odata.context</c>.</summary>
    public string Metadata => $"{Runtime.GraphEndpoint}/v1.0/$metadata#";

    /// <summary>True when the request asks for upsert (<c>Prefer: create-if-missing</c>).</summary>
    public bool PrefersCreateIfMissing =>
        Http.Request.Headers["Prefer"].SelectMany(v => (v ?? "").Split(',')).Any(v => string.Equals(v.Trim(), "create-if-missing", StringComparison.OrdinalIgnoreCase));

    public Task ErrorAsync(GraphError error) => GraphResponses.WriteErrorAsync(Http, error, Now, Runtime.AuthorityHost);

    public Task JsonAsync(JsonObject body, int status = 200) => GraphResponses.WriteJsonAsync(Http, body, status);

    public Task NoContentAsync() => GraphResponses.WriteNoContentAsync(Http);

    public Task MethodNotAllowedAsync() => ErrorAsync(GraphError.MethodNotAllowed());

    /// <summary>
    /// A directory list (<c>GET /applications</c>, <c>GET /servicePrincipals</c>): needs a read
    /// permission (or .OwnedBy, which lists only the caller's own objects) and is served by an eventually
    /// consistent replica, so objects created within the replication lag are not in it (wire §6).
    /// </summary>
    public async Task ListAsync<T>(EntitySchema schema, string entitySet, IEnumerable<T> items, Func<T, DateTimeOffset> created,
        Func<T, IEnumerable<Guid>> owners, Func<T, JsonObject> toJson)
    {
        var all = DirectoryPermissions.CanReadAllApplications(Caller);
        if (!all && !Caller.HasAnyPermission("Application.ReadWrite.OwnedBy"))
        {
            await ErrorAsync(GraphError.InsufficientPrivileges());
            return;
        }

        var (query, error) = ODataQuery.Parse(Http.Request.Query, schema, collection: true);
        if (error is not null)
        {
            await ErrorAsync(error);
            return;
        }

        var visible = items
            .Where(i => IsReplicated(created(i)))
            .Where(i => all || owners(i).Contains(Caller.PrincipalId))
            .OrderBy(created)
            .Select(toJson);
        await JsonAsync(query!.Collection(Http, Metadata, entitySet, visible));
    }

    /// <summary>
    /// A GET by id or alternate key: strongly consistent (INFERRED: reads by key go to the primary, so
    /// a just-created object is found), unlike lists.
    /// </summary>
    public async Task GetEntityAsync<T>(EntitySchema schema, string entitySet, T? item, string keyValue, Func<T, bool> mayRead, Func<T, JsonObject> toJson)
        where T : class
    {
        if (!DirectoryPermissions.CanReadAllApplications(Caller) && (item is null || !mayRead(item)))
        {
            await ErrorAsync(GraphError.InsufficientPrivileges());
            return;
        }

        if (item is null)
        {
            await ErrorAsync(GraphError.DirectoryObjectNotFound(keyValue));
            return;
        }

        var (query, error) = ODataQuery.Parse(Http.Request.Query, schema, collection: false);
        if (error is not null)
        {
            await ErrorAsync(error);
            return;
        }

        await JsonAsync(query!.Entity(Metadata, entitySet, toJson(item)));
    }

    /// <summary>Whether an object created at <paramref name="created"/> is visible to eventually consistent reads.</summary>
    public bool IsReplicated(DateTimeOffset created) => Runtime.IsReplicated(created);

    /// <summary>Whether a write that references an object created at <paramref name="created"/> sees it.</summary>
    public bool IsReplicatedForWrites(DateTimeOffset created) => Runtime.IsReplicatedForWrites(created);

    /// <summary>
    /// The permission preamble of a handler: answers 403 Authorization_RequestDenied unless
    /// <paramref name="allowed"/>; true when the handler may go on.
    /// </summary>
    public async Task<bool> PermitAsync(bool allowed)
    {
        if (!allowed)
        {
            await ErrorAsync(GraphError.InsufficientPrivileges());
        }

        return allowed;
    }

    /// <summary>
    /// The body preamble of a handler: the JSON object body (see <see cref="ReadBodyAsync"/>), or
    /// null once its error has been answered.
    /// </summary>
    public async Task<JsonElement?> BodyAsync(bool allowEmpty = false)
    {
        var (body, error) = await ReadBodyAsync(allowEmpty);
        if (error is not null)
        {
            await ErrorAsync(error);
            return null;
        }

        return body;
    }

    /// <summary>
    /// The JSON object body. Empty → "Empty Payload" (unless <paramref name="allowEmpty"/>, then
    /// <c>{}</c>); not JSON or not an object → "Unable to read JSON request payload".
    /// </summary>
    public async Task<(JsonElement Body, GraphError? Error)> ReadBodyAsync(bool allowEmpty = false)
    {
        using var buffer = new MemoryStream();
        await Http.Request.Body.CopyToAsync(buffer, Http.RequestAborted);
        if (buffer.Length == 0)
        {
            return allowEmpty
                ? (JsonDocument.Parse("{}").RootElement.Clone(), null)
                : (default, new GraphError(400, "BadRequest", "Empty Payload. JSON content expected.")); // INFERRED gateway text
        }

        try
        {
            using var document = JsonDocument.Parse(buffer.ToArray());
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? (document.RootElement.Clone(), null)
                : (default, GraphError.UnreadableJson());
        }
        catch (JsonException)
        {
            return (default, GraphError.UnreadableJson());
        }
    }
}

/// <summary>
/// Who may do what (wire §4, §5.7). App tokens are checked against <c>roles</c>, delegated ones
/// against <c>scp</c>. Missing rights give 403 Authorization_RequestDenied.
/// </summary>
public static class DirectoryPermissions
{
    private const string ReadWriteAll = "Application.ReadWrite.All";
    private const string OwnedBy = "Application.ReadWrite.OwnedBy";

    private static readonly string[] ReadApplications = ["Application.Read.All", ReadWriteAll, "Directory.Read.All", "Directory.ReadWrite.All"];
    private static readonly string[] ReadUsers = ["User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"];
    private static readonly string[] ReadDomains = ["Domain.Read.All", "Domain.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"];
    private static readonly string[] ReadOrganization = ["Organization.Read.All", "Organization.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"];

    /// <summary>Lists of applications and service principals, and any of them by key.</summary>
    public static bool CanReadAllApplications(GraphCaller caller) => caller.HasAnyPermission(ReadApplications);

    /// <summary>
    /// One application: with a read permission; owned ones with OwnedBy; and its own application
    /// without any ("A service principal can retrieve its own application and service principal
    /// details without being granted any application permissions", wire §4.5).
    /// </summary>
    public static bool CanReadApplication(GraphCaller caller, DirectoryApplication application) =>
        CanReadAllApplications(caller)
        || (caller.HasAnyPermission(OwnedBy) && application.Owners.Contains(caller.PrincipalId))
        || (caller.IsAppOnly && caller.AppId == application.AppId.ToString());

    public static bool CanReadServicePrincipal(GraphCaller caller, ServicePrincipal servicePrincipal) =>
        CanReadAllApplications(caller)
        || (caller.HasAnyPermission(OwnedBy) && servicePrincipal.Owners.Contains(caller.PrincipalId))
        || (caller.IsAppOnly && caller.ObjectId == servicePrincipal.Id.ToString());

    /// <summary>Creating applications (and service principals): Application.ReadWrite.All or .OwnedBy.</summary>
    public static bool CanCreateApplications(GraphCaller caller) => caller.HasAnyPermission(ReadWriteAll, OwnedBy);

    /// <summary>Changing one: Application.ReadWrite.All, or .OwnedBy for an owner.</summary>
    public static bool CanWrite(GraphCaller caller, IReadOnlySet<Guid> owners) =>
        caller.HasAnyPermission(ReadWriteAll) || (caller.HasAnyPermission(OwnedBy) && owners.Contains(caller.PrincipalId));

    /// <summary>
    /// appRoleAssignedTo / appRoleAssignments writes: AppRoleAssignment.ReadWrite.All **and** a
    /// permission to read applications (wire §4.6: without Application.Read.All, 403).
    /// </summary>
    public static bool CanWriteAssignments(GraphCaller caller) =>
        caller.HasAnyPermission("AppRoleAssignment.ReadWrite.All") && CanReadAllApplications(caller);

    public static bool CanReadUsers(GraphCaller caller) => caller.HasAnyPermission(ReadUsers);

    public static bool CanReadDomains(GraphCaller caller) => caller.HasAnyPermission(ReadDomains);

    /// <summary>Every property of the organization; without it only id, displayName and verifiedDomains (wire §4.10).</summary>
    public static bool CanReadOrganization(GraphCaller caller) => caller.HasAnyPermission(ReadOrganization);
}
