using MailOAuth.Sandbox.Hosting;

namespace MailOAuth.Sandbox.Graph;

/// <summary>
/// Dispatches <c>/v1.0/…</c> directory requests (logged with kind <c>directory</c>). Routing is on
/// the decoded path, so the Graph SDK's percent-encoded keys (<c>applications(uniqueName=%27x%27)</c>)
/// work; anything else falls through to <see cref="GraphFallback"/>.
/// </summary>
public static class DirectoryRouter
{
    public static async Task HandleAsync(HttpContext context, SandboxRuntime runtime)
    {
        var path = context.Request.Path.Value ?? "/";
        var rest = path.Length > "/v1.0/".Length ? path["/v1.0/".Length..] : "";
        var segments = PathSegment.ParsePath(rest);
        var handler = segments is { Count: > 0 } ? HandlerFor(segments[0].Name) : null;
        if (handler is null)
        {
            await GraphFallback.VersionedAsync(context, runtime);
            return;
        }

        if (await GraphAuthentication.AuthenticateOrAnswerAsync(context, runtime) is not { } caller)
        {
            return;
        }

        await handler(new DirectoryRequest(context, runtime, caller, segments!));
    }

    private static Func<DirectoryRequest, Task>? HandlerFor(string segment) => segment.ToLowerInvariant() switch
    {
        "applications" => ApplicationsEndpoints.RouteAsync,
        "serviceprincipals" => ServicePrincipalsEndpoints.RouteAsync,
        "users" => TenantEndpoints.UsersAsync,
        "me" => TenantEndpoints.MeAsync,
        "domains" => TenantEndpoints.DomainsAsync,
        "organization" => TenantEndpoints.OrganizationAsync,
        "directory" => DeletedItemsEndpoints.RouteAsync,
        "policies" => PolicyEndpoints.RouteAsync,
        _ => null,
    };
}
