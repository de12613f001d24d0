using MailOAuth.Sandbox.Hosting;

namespace MailOAuth.Sandbox.Graph;

/// <summary>Graph-shaped answers for paths the sandbox does not serve.</summary>
public static class GraphFallback
{
    // Top-level v1.0 segments Graph knows; anything else is "not found for the segment".
    private static readonly HashSet<string> KnownSegments = new(StringComparer.OrdinalIgnoreCase)
    {
        "users", "me", "applications", "servicePrincipals", "organization", "domains", "groups", "directoryObjects",
        "subscribedSkus", "policies", "identity", "oauth2PermissionGrants", "sites", "drives", "teams", "chats",
        "security", "reports", "$metadata", "$batch", "applicationTemplates", "directory", "admin", "solutions", "roleManagement",
    };

    /// <summary><c>/v1.0/{**rest}</c> with no matching route.</summary>
    public static Task VersionedAsync(HttpContext context, SandboxRuntime runtime)
    {
        var rest = context.GetRouteValue("rest") as string ?? "";
        var first = rest.Split('/', 2)[0];
        var error = first.Length > 0 && !KnownSegments.Contains(first)
            ? GraphError.UnknownSegment(first)
            : GraphError.ResourceNotFound();
        return GraphResponses.WriteErrorAsync(context, error, runtime.Now, runtime.AuthorityHost);
    }

    /// <summary>Any other path.</summary>
    public static Task AnyAsync(HttpContext context, SandboxRuntime runtime)
    {
        var request = SandboxRequest.Get(context);
        if (request.Kind != RequestKind.Graph)
        {
            // login.microsoftonline.com answers unknown paths with an HTML 404; no body here.
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        var first = (context.Request.Path.Value ?? "/").Trim('/').Split('/', 2)[0];
        var error = first.Equals("beta", StringComparison.OrdinalIgnoreCase)
            ? GraphError.ResourceNotFound()
            : new GraphError(400, "BadRequest", $"Invalid version: {first}"); // INFERRED gateway text
        return GraphResponses.WriteErrorAsync(context, error, runtime.Now, runtime.AuthorityHost);
    }
}
