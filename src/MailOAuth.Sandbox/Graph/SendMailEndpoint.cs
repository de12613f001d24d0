using System.Text.Json;
using MailOAuth.Sandbox.Control;
using MailOAuth.Sandbox.Hosting;
using MailOAuth.Sandbox.Tenancy;

namespace MailOAuth.Sandbox.Graph;

/// <summary><c>POST /v1.0/users/{id | userPrincipalName}/sendMail</c> (docs/service-behaviour.md#send-mail, #graph-errors).</summary>
public static class SendMailEndpoint
{
    /// <summary>
    /// Checks in this order: token → Mail.Send role or an applied Exchange assignment covering the mailbox → user exists →
    /// mailbox licensed → application access policy (Entra grant only) → body readable → <c>message.from</c> → recipients; then 202
    /// with no body and the message in the outbox.
    /// </summary>
    public static async Task HandleAsync(HttpContext context, SandboxRuntime runtime)
    {
        var now = runtime.Now;
        var userSegment = context.GetRouteValue("user") as string ?? "";

        if (!HttpMethods.IsPost(context.Request.Method))
        {
            await WriteAsync(context, runtime, GraphError.MethodNotAllowed());
            return;
        }

        if (await GraphAuthentication.AuthenticateOrAnswerAsync(context, runtime) is not { } caller)
        {
            return;
        }

        // docs/service-behaviour.md#graph-access-denied: no Mail.Send in roles (no consent, or a delegated grant only).
        // docs/service-behaviour.md#replication: Exchange honours a new Mail.Send grant some time after tokens carry it; meanwhile the
        // answer is the same 403 as with no grant at all.
        var entraAllowed = caller.HasRole(WellKnownIds.MailSendRoleValue)
            && !(runtime.MailLag > TimeSpan.Zero && caller.Scopes.Count == 0
                && !runtime.Directory.GetGrantedRoleValues(caller.PrincipalId, WellKnownIds.MicrosoftGraphAppId, created => runtime.Now >= created + runtime.MailLag)
                    .Contains(WellKnownIds.MailSendRoleValue));

        // docs/service-behaviour.md#exchange-rbac: the effective permission is the union of the Entra grant and an applied Exchange
        // "Application Mail.Send" assignment whose scope covers this mailbox. A not-yet-applied assignment and an out-of-scope
        // mailbox get the same 403 as no grant at all.
        var user = runtime.Directory.FindUser(userSegment);
        var exchangeAllowed = user is not null && caller.IsAppOnly
            && runtime.Directory.HasAppliedExchangeRole(caller.PrincipalId, user.Id, WellKnownIds.ApplicationMailSendRoleName, now);
        if (!entraAllowed && !exchangeAllowed)
        {
            await WriteAsync(context, runtime, GraphError.AccessDenied());
            return;
        }

        if (user is null)
        {
            await WriteAsync(context, runtime, GraphError.InvalidUser(userSegment));
            return;
        }

        if (!user.HasExchangeLicense)
        {
            await WriteAsync(context, runtime, GraphError.MailboxNotEnabled());
            return;
        }

        // An application access policy constrains only the Entra grant (docs/service-behaviour.md#exchange-rbac).
        if (!exchangeAllowed && Guid.TryParse(caller.AppId, out var appId) && runtime.Directory.IsMailboxAccessDenied(user.Id, appId))
        {
            await WriteAsync(context, runtime, GraphError.ODataDisabled());
            return;
        }

        var (message, bodyError) = await ReadMessageAsync(context);
        if (bodyError is not null)
        {
            await WriteAsync(context, runtime, bodyError);
            return;
        }

        // docs/service-behaviour.md#send-as-denied: Mail.Send lets the app send *through* any mailbox, not as someone else.
        if (message!.From is { } from
            && !string.Equals(from, user.UserPrincipalName, StringComparison.OrdinalIgnoreCase)
            && !string.Equals(from, user.Mail, StringComparison.OrdinalIgnoreCase))
        {
            await WriteAsync(context, runtime, GraphError.SendAsDenied());
            return;
        }

        if (ValidateRecipients(message) is { } recipientError)
        {
            await WriteAsync(context, runtime, recipientError);
            return;
        }

        var request = SandboxRequest.Get(context);
        runtime.Outbox.Add(new OutboxMessage(
            Id: Guid.NewGuid().ToString(),
            From: message.From ?? user.Mail,
            Sender: user.UserPrincipalName,
            To: message.To,
            Subject: message.Subject,
            Body: message.Content,
            ContentType: message.ContentType,
            ReceivedAt: now,
            ClientId: caller.AppId,
            Cc: message.Cc,
            Bcc: message.Bcc,
            SaveToSentItems: message.SaveToSentItems,
            RequestId: request.RequestId));

        // docs/service-behaviour.md#send-mail: 202 Accepted, no body.
        GraphResponses.ApplyHeaders(context, request);
        context.Response.StatusCode = StatusCodes.Status202Accepted;
        context.Response.ContentLength = 0;
    }

    /// <summary>
    /// <c>/v1.0/me/sendMail</c>: an app token has no "me" (docs/service-behaviour.md#send-mail). A delegated token
    /// without the Mail.Send scope is denied (docs/service-behaviour.md#graph-access-denied); with it, the signed-in user needs a
    /// mailbox (INFERRED: the sandbox's only delegated user, the admin, has none).
    /// </summary>
    public static async Task MeAsync(HttpContext context, SandboxRuntime runtime)
    {
        if (await GraphAuthentication.AuthenticateOrAnswerAsync(context, runtime) is not { } caller)
        {
            return;
        }

        if (caller.IsAppOnly)
        {
            await WriteAsync(context, runtime, GraphError.MeWithAppToken());
            return;
        }

        await WriteAsync(context, runtime, caller.HasAnyPermission(WellKnownIds.MailSendRoleValue)
            ? GraphError.MailboxNotEnabled()
            : GraphError.AccessDenied());
    }

    private static Task WriteAsync(HttpContext context, SandboxRuntime runtime, GraphError error) =>
        GraphResponses.WriteErrorAsync(context, error, runtime.Now, runtime.AuthorityHost);

    private sealed record ParsedMessage(
        string? Subject,
        string? Content,
        string ContentType,
        string? From,
        IReadOnlyList<string> To,
        IReadOnlyList<string> Cc,
        IReadOnlyList<string> Bcc,
        bool SaveToSentItems);

    private static async Task<(ParsedMessage? Message, GraphError? Error)> ReadMessageAsync(HttpContext context)
    {
        var (root, error) = await GraphBody.ReadObjectAsync(context);
        if (error is not null)
        {
            return (null, error);
        }

        if (BodyProperties.Find(root, "message") is not { ValueKind: JsonValueKind.Object } message)
        {
            return (null, GraphError.EmptyMessage());
        }

        var contentType = "Text";
        string? content = null;
        if (BodyProperties.Find(message, "body") is { ValueKind: JsonValueKind.Object } body)
        {
            content = BodyProperties.String(body, "content");
            if (BodyProperties.String(body, "contentType") is { } requested)
            {
                // docs/service-behaviour.md#send-mail: Text or HTML, case-insensitive.
                if (!requested.Equals("text", StringComparison.OrdinalIgnoreCase) && !requested.Equals("html", StringComparison.OrdinalIgnoreCase))
                {
                    return (null, GraphError.RequestBodyRead(
                        $"Cannot convert the literal '{requested}' to the expected type 'microsoft.graph.bodyType'."));
                }

                contentType = requested;
            }
        }

        var from = BodyProperties.Find(message, "from") is { ValueKind: JsonValueKind.Object } fromElement
            && BodyProperties.Find(fromElement, "emailAddress") is { ValueKind: JsonValueKind.Object } fromAddress
                ? BodyProperties.String(fromAddress, "address")
                : null;

        // The doc's own example sends the string "false" (docs/service-behaviour.md#send-mail).
        var saveToSentItems = BodyProperties.Find(root, "saveToSentItems") switch
        {
            { ValueKind: JsonValueKind.False } => false,
            { ValueKind: JsonValueKind.String } s when bool.TryParse(s.GetString(), out var parsed) => parsed,
            _ => true,
        };

        return (new ParsedMessage(
            BodyProperties.String(message, "subject"),
            content,
            contentType,
            string.IsNullOrWhiteSpace(from) ? null : from,
            Recipients(message, "toRecipients"),
            Recipients(message, "ccRecipients"),
            Recipients(message, "bccRecipients"),
            saveToSentItems), null);
    }

    private static GraphError? ValidateRecipients(ParsedMessage message)
    {
        var all = message.To.Concat(message.Cc).Concat(message.Bcc).ToList();
        if (all.Count == 0)
        {
            return GraphError.NoRecipients();
        }

        var invalid = all.FirstOrDefault(a => a.Split('@') is not [{ Length: > 0 }, { Length: > 0 }]);
        return invalid is null ? null : GraphError.UnresolvedRecipient(invalid);
    }

    private static List<string> Recipients(JsonElement message, string name) =>
        BodyProperties.Find(message, name) is { ValueKind: JsonValueKind.Array } array
            ? [.. array.EnumerateArray()
                .Select(r => r.ValueKind == JsonValueKind.Object && BodyProperties.Find(r, "emailAddress") is { ValueKind: JsonValueKind.Object } e
                    ? BodyProperties.String(e, "address") ?? ""
                    : "")]
            : [];
}
