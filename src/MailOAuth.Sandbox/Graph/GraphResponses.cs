using System.Globalization;
using System.Text.Json.Nodes;
using MailOAuth.Sandbox.Hosting;

namespace MailOAuth.Sandbox.Graph;

/// <summary>One entry of a Graph error's <c>details</c> (docs/service-behaviour.md#graph-error-body).</summary>
public sealed record GraphErrorDetail(string Code, string Message, string Target);

/// <summary>A Graph error: status, code and message (docs/service-behaviour.md#graph-error-body, #graph-errors), and sometimes <c>details</c>.</summary>
public sealed record GraphError(int Status, string Code, string Message)
{
    public IReadOnlyList<GraphErrorDetail> Details { get; init; } = [];

    // ---- directory (docs/service-behaviour.md#microsoft-graph, #authorization-denied, #service-principal, #replication, #app-role-assignment) ----

    // docs/service-behaviour.md#authorization-denied
    public static GraphError InsufficientPrivileges() => new(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");

    // docs/service-behaviour.md#users, #replication: the value as the client gave it.
    public static GraphError DirectoryObjectNotFound(string idAsGiven) => new(404, "Request_ResourceNotFound",
        $"Resource '{idAsGiven}' does not exist or one of its queried reference-property objects are not present.");

    // docs/service-behaviour.md#service-principal (exact, with details).
    public static GraphError NoBackingApplicationObject(string appId)
    {
        var message = $"The appId '{appId}' of the service principal does not reference a valid application object.";
        return new GraphError(400, "Request_BadRequest", message) { Details = [new GraphErrorDetail("NoBackingApplicationObject", message, "appId")] };
    }

    // docs/service-behaviour.md#app-role-assignment
    public static GraphError PermissionAlreadyExists() => new(400, "Request_BadRequest", "Permission being assigned already exists on the object.");

    // docs/service-behaviour.md#app-role-assignment (INFERRED real)
    public static GraphError PermissionNotFound() => new(400, "Request_BadRequest", "Permission being assigned was not found on application.");

    // INFERRED: a second service principal for the same appId.
    public static GraphError ServicePrincipalExists() => new(409, "Request_MultipleObjectsWithSameKeyValue",
        "Another object with the same value for property servicePrincipalNames already exists.");

    // The code is the real one (docs/service-behaviour.md#secret-policy); the message is INFERRED.
    public static GraphError CredentialLifetimeExceedsPolicy() => new(400, "CredentialInvalidLifetimeAsPerAppPolicy",
        "Credential lifetime exceeds the max value allowed as per assigned policy.");

    // INFERRED: the code of a passwordAddition refusal (same family as CredentialInvalidLifetimeAsPerAppPolicy).
    public static GraphError CredentialTypeNotAllowedByPolicy() => new(400, "CredentialTypeNotAllowedAsPerAppPolicy",
        "Credential type not allowed as per assigned policy.");

    // INFERRED (directory-style texts).
    public static GraphError InvalidPropertyValue(string property, string resource) => new(400, "Request_BadRequest",
        $"Invalid value specified for property '{property}' of resource '{resource}'.");

    public static GraphError ReadOnlyProperty(string property) => new(400, "Request_BadRequest",
        $"Property '{property}' is read-only and cannot be set.");

    public static GraphError UnknownProperty(string property, string type) => new(400, "BadRequest",
        $"Property '{property}' does not exist on type '{type}'. Make sure to only use property names that are defined by the type or mark the type as open type.");

    public static GraphError UnsupportedFilter(string clause) => new(400, "Request_UnsupportedQuery",
        $"Unsupported or invalid query filter clause specified: '{clause}'.");

    public static GraphError UnknownSelectProperty(string property, string type) => new(400, "BadRequest",
        $"Could not find a property named '{property}' on type '{type}'.");

    // The real Graph message for a bad $top.
    public static GraphError InvalidPageSize(string value) => new(400, "Request_BadRequest",
        $"Invalid page size specified: '{value}'. Must be between 1 and 999 inclusive.");

    public static GraphError BadRequest(string message) => new(400, "Request_BadRequest", message);

    /// <summary>
    /// An upsert (or POST) naming a uniqueName that an application in deleted items still holds.
    /// Status and code per the observed behaviour; the message is INFERRED.
    /// </summary>
    public static GraphError UniqueNameHeldByDeletedApplication() =>
        BadRequest("Another object with the same value for property uniqueName already exists.");

    // docs/service-behaviour.md#invalid-token
    public static GraphError TokenEmpty() => new(401, "InvalidAuthenticationToken", "Access token is empty.");

    public static GraphError TokenInvalid() => new(401, "InvalidAuthenticationToken", "Access token validation failure.");

    public static GraphError TokenInvalidAudience() => new(401, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience.");

    public static GraphError TokenExpired() => new(401, "InvalidAuthenticationToken", "Access token has expired or is not yet valid.");

    // docs/service-behaviour.md#graph-access-denied
    public static GraphError AccessDenied() => new(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");

    // docs/service-behaviour.md#graph-access-denied
    public static GraphError ODataDisabled() => new(403, "ErrorAccessDenied", "Access to OData is disabled.");

    // docs/service-behaviour.md#graph-user-not-found: the value as the client gave it.
    public static GraphError InvalidUser(string value) => new(404, "ErrorInvalidUser", $"The requested user '{value}' is invalid.");

    // docs/service-behaviour.md#mailbox-not-enabled
    public static GraphError MailboxNotEnabled() => new(404, "MailboxNotEnabledForRESTAPI", "The mailbox is either inactive, soft-deleted, or is hosted on-premise.");

    // docs/service-behaviour.md#send-as-denied: the live text, with "., ".
    public static GraphError SendAsDenied() => new(403, "ErrorSendAsDenied",
        "The user account which was used to submit this request does not have the right to send mail on behalf of the specified sending account., Cannot submit message.");

    // docs/service-behaviour.md#send-mail
    public static GraphError MeWithAppToken() => new(400, "BadRequest", "/me request is only valid with delegated authentication flow.");

    // docs/service-behaviour.md#graph-user-not-found
    public static GraphError ResourceNotFound() => new(404, "ResourceNotFound", "Resource could not be discovered.");

    // INFERRED (common gateway texts).
    public static GraphError UnknownSegment(string segment) => new(400, "BadRequest", $"Resource not found for the segment '{segment}'.");

    public static GraphError UnreadableJson() => new(400, "BadRequest",
        "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.");

    public static GraphError MethodNotAllowed() => new(405, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.");

    public static GraphError EmptyMessage() => new(400, "ErrorInvalidParameter", "The value of the parameter 'Message' is empty.");

    public static GraphError NoRecipients() => new(400, "ErrorInvalidRecipients",
        "At least one recipient is not valid., A message can't be sent because it contains no recipients.");

    public static GraphError UnresolvedRecipient(string address) => new(400, "ErrorInvalidRecipients",
        $"At least one recipient is not valid., Recipient '{address}' is not resolved. All recipients must be resolved before a message can be submitted.");

    public static GraphError RequestBodyRead(string message) => new(400, "RequestBodyRead", message);

    // Injected faults and server failures (errors.md codes; texts INFERRED).
    public static GraphError ForStatus(int status, string? clientId) => status switch
    {
        400 => new(400, "BadRequest", "Invalid request."),
        401 => TokenInvalid(),
        403 => AccessDenied(),
        404 => ResourceNotFound(),
        409 => new(409, "Conflict", "The request conflicts with the current state of the resource."),
        // docs/service-behaviour.md#throttling pattern.
        429 => new(429, "TooManyRequests",
            $"Too many requests from Identifier:{clientId ?? "anonymous"} under category:throttle.sandbox.ags.mail. Please try again later."),
        500 => new(500, "generalException", "An unspecified error has occurred."),
        503 => new(503, "serviceNotAvailable", "Service unavailable. Please retry the request after a delay."),
        504 => new(504, "GatewayTimeout", "The gateway did not receive a response from the backend in time."),
        _ => new(status, "UnknownError", "An error occurred while processing the request."),
    };
}

/// <summary>Headers and bodies the way graph.microsoft.com writes them.</summary>
public static class GraphResponses
{
    public const string ErrorContentType = "application/json";

    private const string AgsDiagnostic =
        """{"ServerInfo":{"DataCenter":"Sandbox","Slice":"E","Ring":"5","ScaleUnit":"000","RoleInstance":"SANDBOX0000001"}}""";

    /// <summary>docs/service-behaviour.md#graph-error-body: on every Graph response.</summary>
    public static void ApplyHeaders(HttpContext context, SandboxRequest request)
    {
        var headers = context.Response.Headers;
        headers.StrictTransportSecurity = "max-age=31536000";
        headers["request-id"] = request.RequestId;
        headers["client-request-id"] = request.EffectiveClientRequestId;
        headers["x-ms-ags-diagnostic"] = AgsDiagnostic;
    }

    /// <summary>
    /// <c>{"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}</c>
    /// (docs/service-behaviour.md#graph-error-body; date without Z or fractions). A 401 adds WWW-Authenticate (docs/service-behaviour.md#graph-error-body).
    /// </summary>
    public static Task WriteErrorAsync(HttpContext context, GraphError error, DateTimeOffset now, string authorityHost)
    {
        var request = SandboxRequest.Get(context);
        ApplyHeaders(context, request);
        if (error.Status == 401)
        {
            context.Response.Headers.WWWAuthenticate =
                $"Bearer realm=\"\", authorization_uri=\"{authorityHost}/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"";
        }

        return WriteErrorBodyAsync(context, error, now, request);
    }

    /// <summary>Only the body (and status); headers are the caller's.</summary>
    public static Task WriteErrorBodyAsync(HttpContext context, GraphError error, DateTimeOffset now, SandboxRequest request)
    {
        var inner = new JsonObject
        {
            ["code"] = error.Code,
            ["message"] = error.Message,
        };
        if (error.Details.Count > 0)
        {
            inner["details"] = new JsonArray([.. error.Details.Select(d => (JsonNode)new JsonObject
            {
                ["code"] = d.Code,
                ["message"] = d.Message,
                ["target"] = d.Target,
            })]);
        }

        inner["innerError"] = new JsonObject
        {
            ["date"] = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture),
            ["request-id"] = request.RequestId,
            ["client-request-id"] = request.EffectiveClientRequestId,
        };
        var body = new JsonObject { ["error"] = inner };
        return SandboxJson.WriteAsync(context, error.Status, SandboxJson.Serialize(body), ErrorContentType);
    }

    /// <summary>docs/service-behaviour.md#graph-error-body: the content type of a 200/201 with a body.</summary>
    public const string ODataContentType = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

    /// <summary>A success with a body (docs/service-behaviour.md#graph-error-body headers; directory calls add x-ms-resource-unit).</summary>
    public static Task WriteJsonAsync(HttpContext context, JsonObject body, int status = 200)
    {
        ApplySuccessHeaders(context);
        return SandboxJson.WriteAsync(context, status, SandboxJson.Serialize(body), ODataContentType);
    }

    /// <summary>204 No Content (PATCH, DELETE, removePassword).</summary>
    public static Task WriteNoContentAsync(HttpContext context)
    {
        ApplySuccessHeaders(context);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    }

    private static void ApplySuccessHeaders(HttpContext context)
    {
        var request = SandboxRequest.Get(context);
        ApplyHeaders(context, request);
        context.Response.Headers.CacheControl = "private";
        context.Response.Headers["OData-Version"] = "4.0";
        if (request.Kind == RequestKind.Directory)
        {
            context.Response.Headers["x-ms-resource-unit"] = "1";
        }
    }
}
