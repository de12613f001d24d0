using System.Text.Json;
using System.Text.Json.Nodes;
using MailOAuth.Sandbox.Hosting;
using MailOAuth.Sandbox.Tenancy;

namespace MailOAuth.Sandbox.Graph;

/// <summary>An authenticated Graph directory request and the helpers every handler needs.</summary>
public sealed class DirectoryRequest(HttpContext http, SandboxRuntime runtime, GraphCaller caller, IReadOnlyList<PathSegment> segments, string version = "v1.0")
{
    /// <summary><c>v1.0</c> or <c>beta</c>: the path's version segment.</summary>
    public string Version { get; } = version;

    public HttpContext Http { get; } = http;

    public SandboxRuntime Runtime { get; } = runtime;

    public GraphCaller Caller { get; } = caller;

    public IReadOnlyList<PathSegment> Segments { get; } = segments;

    public DateTimeOffset Now { get; } = runtime.Now;

    /// <summary>The directory as the request found it: one request never spans a reset.</summary>
    public DirectoryStore Directory { get; } = runtime.Directory;

    public string Method => Http.Request.Method;

    /// <summary><c>{graph}/v1.0/$metadata#</c> (or <c>/beta/</c>): the prefix of every <c>@odata.context</c>.</summary>
    public string Metadata => $"{Runtime.GraphEndpoint}/{Version}/$metadata#";

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
    /// consistent replica, so objects created within the replication lag are not in it (docs/service-behaviour.md#replication).
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

    /// <summary>The JSON object body (see <see cref="GraphBody.ReadObjectAsync"/>).</summary>
    public Task<(JsonElement Body, GraphError? Error)> ReadBodyAsync(bool allowEmpty = false) => GraphBody.ReadObjectAsync(Http, allowEmpty);
}
