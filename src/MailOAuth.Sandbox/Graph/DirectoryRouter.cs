using MailOAuth.Sandbox.Hosting;

namespace MailOAuth.Sandbox.Graph;

/// <summary>
/// Dispatches <c>/v1.0/…</c> and <c>/beta/…</c> directory requests (logged with kind <c>directory</c>); beta serves only
/// what v1.0 lacks (<c>roleManagement/exchange</c>, docs/service-behaviour.md#exchange-rbac). Routing is on
/// the decoded path, so the Graph SDK's percent-encoded keys (<c>applications(uniqueName=%27x%27)</c>)
/// work; anything else falls through to <see cref="GraphFallback"/>.
/// </summary>
public static class DirectoryRouter
{
    public static async Task HandleAsync(HttpContext context, SandboxRuntime runtime)
    {
        var path = context.Request.Path.Value ?? "/";
        var version = path.StartsWith("/beta/", StringComparison.OrdinalIgnoreCase) ? "beta" : "v1.0";
        var prefix = "/" + version + "/";
        var rest = path.Length > prefix.Length ? path[prefix.Length..] : "";
        var segments = PathSegment.ParsePath(rest);
        var handler = segments is { Count: > 0 } ? version == "beta" ? BetaHandlerFor(segments[0].Name) : HandlerFor(segments[0].Name) : null;
        if (handler is null)
        {
            await GraphFallback.VersionedAsync(context, runtime);
            return;
        }

        if (await GraphAuthentication.AuthenticateOrAnswerAsync(context, runtime) is not { } caller)
        {
            return;
        }

        await handler(new DirectoryRequest(context, runtime, caller, segments!, version));
    }

    private static Func<DirectoryRequest, Task>? BetaHandlerFor(string segment) => segment.ToLowerInvariant() switch
    {
        "rolemanagement" => ExchangeRbacEndpoints.RouteAsync,
        _ => null,
    };

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
