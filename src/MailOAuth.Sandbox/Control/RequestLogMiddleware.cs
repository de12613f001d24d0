using MailOAuth.Sandbox.Entra;
using MailOAuth.Sandbox.Graph;
using MailOAuth.Sandbox.Hosting;

namespace MailOAuth.Sandbox.Control;

/// <summary>
/// Outermost middleware: classifies the request, records it in the request log once answered
/// (control requests excepted), and turns an unhandled exception into a wire-shaped 500.
/// </summary>
public sealed class RequestLogMiddleware(RequestDelegate next, SandboxRuntime runtime, ILogger<RequestLogMiddleware> logger)
{
    private static readonly HashSet<string> SecretQueryKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        "client_secret", "client_assertion", "access_token", "code", "password", "refresh_token",
    };

    public async Task InvokeAsync(HttpContext context)
    {
        var request = SandboxRequest.Begin(context);
        if (request.Kind == RequestKind.Control)
        {
            await next(context);
            return;
        }

        var time = runtime.Now;
        try
        {
            await next(context);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away (or an injected latency was cut short).
        }
        catch (Exception e)
        {
            logger.LogError(e, "Unhandled exception for {Method} {Path}", context.Request.Method, context.Request.Path);
            if (!context.Response.HasStarted)
            {
                await WriteServerErrorAsync(context, request);
            }
        }
        finally
        {
            runtime.RequestLog.Add(new RequestLogEntry(
                time,
                context.Request.Method,
                context.Request.Path.Value ?? "/",
                SanitizedQuery(context),
                request.Aborted ? 0 : context.Response.StatusCode,
                request.ClientId,
                request.Kind.ToString().ToLowerInvariant(),
                request.RequestId,
                request.KeyId,
                request.Kind == RequestKind.KeyVault ? KeyVault.KeyVaultEndpoints.VaultNameOf(context) : null));
        }
    }

    private Task WriteServerErrorAsync(HttpContext context, SandboxRequest request)
    {
        context.Response.Clear();
        if (request.Kind == RequestKind.Msi)
        {
            return ManagedIdentityEndpoint.WriteErrorAsync(context, 500, "An unexpected error occurred.");
        }

        if (request.Kind == RequestKind.KeyVault)
        {
            return KeyVault.KeyVaultEndpoints.ErrorAsync(context, 500, "InternalServerError", "An unexpected error occurred.");
        }

        return request.Kind is RequestKind.Token or RequestKind.Discovery
            ? EntraResponses.WriteErrorAsync(context, EntraErrors.Unavailable(500), runtime.Now, request.Kind == RequestKind.Discovery)
            : GraphResponses.WriteErrorAsync(context, GraphError.ForStatus(500, request.ClientId), runtime.Now, runtime.AuthorityHost);
    }

    /// <summary>The query string with secret-bearing parameters' values redacted (the log never holds secrets).</summary>
    private static string SanitizedQuery(HttpContext context)
    {
        var query = context.Request.QueryString.Value;
        if (string.IsNullOrEmpty(query))
        {
            return "";
        }

        var parts = query.TrimStart('?').Split('&').Select(part =>
        {
            var equals = part.IndexOf('=');
            var key = Uri.UnescapeDataString((equals < 0 ? part : part[..equals]).Replace('+', ' '));
            return SecretQueryKeys.Contains(key) ? $"{(equals < 0 ? part : part[..equals])}=REDACTED" : part;
        });
        return "?" + string.Join('&', parts);
    }
}
