using System.Text.Json;
using MailOAuth.Sandbox.Entra;
using MailOAuth.Sandbox.Graph;
using MailOAuth.Sandbox.Hosting;
using MailOAuth.Sandbox.Platform;

namespace MailOAuth.Sandbox.Control;

/// <summary>
/// Serves injected faults (<c>POST /_sandbox/faults</c>) instead of the real answer: optional
/// latency, then a status with a wire-shaped body (Entra-shaped on token and discovery paths,
/// Graph-shaped elsewhere), <c>Retry-After</c> copied verbatim, or an aborted connection for
/// status 0. With afterProcessing the real handler runs first and its answer is discarded.
/// </summary>
public sealed class FaultMiddleware(RequestDelegate next, SandboxRuntime runtime)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var request = SandboxRequest.Get(context);
        var fault = request.Kind == RequestKind.Control
            ? null
            : runtime.Faults.TryConsume(context.Request.Method, context.Request.Path.Value ?? "/");
        if (fault is null)
        {
            await next(context);
            return;
        }

        if (fault.LatencyMs is > 0)
        {
            // An injected fault: the one deliberate delay in the sandbox.
            await Task.Delay(fault.LatencyMs.Value, context.RequestAborted);
        }

        if (fault.Status is not { } status)
        {
            await next(context); // latency only
            return;
        }

        request.ClientId ??= request.Kind switch
        {
            RequestKind.Token => await TokenEndpoint.PeekClientIdAsync(context),
            RequestKind.Graph or RequestKind.Directory => GraphAuthentication.PeekClientId(context, runtime),
            RequestKind.Msi => context.Request.Query["client_id"].ToString() is { Length: > 0 } id ? id : runtime.Seed.SystemAssignedIdentity.ClientId.ToString(),
            _ => null,
        };

        if (status == 0 && fault.AfterProcessing)
        {
            // The request is really handled, then its answer is lost: the client cannot know whether
            // it took effect (an ambiguous failure). The answer is written to a throwaway buffer.
            await HandleIntoThrowawayBufferAsync(context);

            request.Aborted = true;
            context.Abort();
            return;
        }

        if (fault.AfterProcessing)
        {
            // The request is really handled (a platform stores the settings, Graph adds the secret), then a
            // gateway in front of it answers with the fault instead: the client is told "failed" about a write
            // that took effect. The real answer goes to a throwaway buffer and is cleared before the fault is written.
            await HandleIntoThrowawayBufferAsync(context);

            if (context.Response.HasStarted)
            {
                request.Aborted = true; // cannot happen with the buffer in place; never send half of two answers
                context.Abort();
                return;
            }

            context.Response.Clear();
        }
        else if (status == 0)
        {
            // Simulates a connection reset.
            request.Aborted = true;
            context.Abort();
            return;
        }

        if (request.Kind == RequestKind.Msi)
        {
            // The managed identity endpoint's own error shape (ManagedIdentityEndpoint.WriteErrorAsync).
            if (fault.RetryAfter is not null)
            {
                context.Response.Headers.RetryAfter = fault.RetryAfter;
            }

            await (fault.Body is not null
                ? SandboxJson.WriteAsync(context, status, fault.Body, IsJson(fault.Body) ? EntraResponses.JsonContentType : "text/plain; charset=utf-8")
                : ManagedIdentityEndpoint.WriteErrorAsync(context, status, $"Injected fault: HTTP {status}."));
            return;
        }

        if (request.Kind == RequestKind.Platform)
        {
            // The platform's own error shape: {"errors":[{"field":null,"message"}]}.
            if (fault.RetryAfter is not null)
            {
                context.Response.Headers.RetryAfter = fault.RetryAfter;
            }

            if (status == 401)
            {
                context.Response.Headers.WWWAuthenticate = "Bearer";
            }

            if (fault.Body is not null)
            {
                await SandboxJson.WriteAsync(context, status, fault.Body, IsJson(fault.Body) ? PlatformEndpoints.JsonContentType : "text/plain; charset=utf-8");
            }
            else if (status is < 300 or 304)
            {
                context.Response.StatusCode = status; // no error body for a success status
            }
            else
            {
                await PlatformEndpoints.ErrorsAsync(context, status, [new PlatformFieldError(null, PlatformEndpoints.FaultMessage(status))]);
            }

            return;
        }

        if (request.Kind == RequestKind.KeyVault)
        {
            // Key Vault's error shape: {"error":{"code","message"}}.
            if (fault.RetryAfter is not null)
            {
                context.Response.Headers.RetryAfter = fault.RetryAfter;
            }

            await (fault.Body is not null
                ? SandboxJson.WriteAsync(context, status, fault.Body, IsJson(fault.Body) ? "application/json; charset=utf-8" : "text/plain; charset=utf-8")
                : status is < 300 or 304
                    ? Task.FromResult(context.Response.StatusCode = status)
                    : KeyVault.KeyVaultEndpoints.ErrorAsync(context, status, status == 429 ? "Throttled" : status >= 500 ? "ServiceUnavailable" : "BadParameter", $"Injected fault: HTTP {status}."));
            return;
        }

        var entra = request.Kind is RequestKind.Token or RequestKind.Discovery;
        EntraError? entraError = null;
        GraphError? graphError = null;
        if (entra)
        {
            entraError = status switch
            {
                429 => EntraErrors.Throttled(),
                >= 500 => EntraErrors.Unavailable(status),
                401 => EntraErrors.InvalidClientSecret(request.ClientId ?? ""),
                _ => EntraErrors.Generic(status),
            } with { Status = status };
            if (request.Kind == RequestKind.Token)
            {
                EntraResponses.ApplyTokenHeaders(context, request, entraError.Code);
            }
            else
            {
                EntraResponses.ApplyDiscoveryHeaders(context, request);
            }
        }
        else
        {
            graphError = GraphError.ForStatus(status, request.ClientId);
            GraphResponses.ApplyHeaders(context, request);
            if (status == 401)
            {
                context.Response.Headers.WWWAuthenticate =
                    $"Bearer realm=\"\", authorization_uri=\"{runtime.AuthorityHost}/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"";
            }
        }

        if (fault.RetryAfter is not null)
        {
            context.Response.Headers.RetryAfter = fault.RetryAfter;
        }

        if (fault.Body is not null)
        {
            var json = IsJson(fault.Body);
            var contentType = json ? (entra ? EntraResponses.JsonContentType : GraphResponses.ErrorContentType) : "text/plain; charset=utf-8";
            await SandboxJson.WriteAsync(context, status, fault.Body, contentType);
            return;
        }

        if (status is < 300 or 304)
        {
            context.Response.StatusCode = status; // no error body for a success status
            return;
        }

        await (entra
            ? EntraResponses.WriteErrorBodyAsync(context, entraError!, runtime.Now, request)
            : GraphResponses.WriteErrorBodyAsync(context, graphError!, runtime.Now, request));
    }

    /// <summary>Handles the request for real, its answer written to a throwaway buffer (an after-processing fault).</summary>
    private async Task HandleIntoThrowawayBufferAsync(HttpContext context)
    {
        var realBody = context.Response.Body;
        context.Response.Body = new MemoryStream();
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = realBody;
        }
    }

    private static bool IsJson(string text)
    {
        try
        {
            using var _ = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
