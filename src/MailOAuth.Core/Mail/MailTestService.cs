using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using MailOAuth.Core.Auth;
using MailOAuth.Core.Diagnostics;
using MailOAuth.Core.Entra;
using MailOAuth.Core.Graph;
using Microsoft.Graph.Models;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Graph.Users.Item.SendMail;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware.Options;

namespace MailOAuth.Core.Mail;

/// <summary>
/// Proves that a tenant ID, client ID, client secret and sender mailbox can send mail through Graph:
/// a client-credentials token, a check of its roles, then <c>POST /users/{sender}/sendMail</c>.
/// </summary>
public sealed class MailTestService
{
    /// <summary>The application permission this workflow needs (docs/service-behaviour.md#create-application).</summary>
    public const string MailSendRole = "Mail.Send";

    private readonly MailOAuthSession _session;

    public MailTestService(MailOAuthSession session) => _session = session;

    public Task<MailTestOutcome> SendAsync(MailTestRequest request, CancellationToken cancellationToken) =>
        Explained.RunAsync("send the test message", null, () => SendCoreAsync(request, cancellationToken), cancellationToken);

    private async Task<MailTestOutcome> SendCoreAsync(MailTestRequest request, CancellationToken cancellationToken)
    {
        var environment = _session.Environments.Get(request.EnvironmentName);
        var reporter = OperationContext.CurrentReporter;
        // -ExpectDenied proves a scope only for a sender outside a mailbox scope: a 403 for an app with no grant and no
        // assignment (or a tenant-wide one) says nothing about a scope (docs/service-behaviour.md#exchange-rbac). Checked
        // before anything is requested.
        if (request.ExpectDenied)
        {
            var scope = request.SendScope;
            if (scope is null || !scope.IsMailbox || string.Equals(scope.Mailbox, request.SenderAddress, StringComparison.OrdinalIgnoreCase))
                throw new MailOAuthException(DiagnosisCatalog.ExpectDeniedWithoutScope(request.ClientId, request.SenderAddress, scope?.ToString()));
            if (scope.Mailbox is null)
                reporter.Warning($"-SendScope 'Mailbox' names no mailbox: a denial proves the scope only if {request.SenderAddress} is outside it. Give -SendScope 'Mailbox: <the scoped sender>' (Get-MailOAuthApp shows it) to have that checked.");
        }
        var secret = SecretText.Reveal(request.ClientSecret);
        var app = _session.AppClientFor(environment, request.TenantId, request.ClientId, secret);
        var context = new DiagnosisContext
        {
            TenantId = request.TenantId,
            ClientId = request.ClientId,
            SenderAddress = request.SenderAddress,
            FromAddress = request.From,
            EnvironmentName = environment.Name,
            SecretLooksLikeSecretId = SecretText.LooksLikeSecretId(secret),
        };

        reporter.Verbose($"Getting an app-only token for client {request.ClientId} in tenant {request.TenantId} ({environment.Name}).");
        var token = await app.Tokens.GetGraphTokenAsync(cancellationToken).ConfigureAwait(false);
        var claims = AccessTokenClaims.Decode(token.Token);
        var rolesText = claims.Roles.Count == 0 ? "none" : string.Join(", ", claims.Roles);
        reporter.Verbose($"Token roles: {rolesText}.");

        // No Mail.Send in the token means Graph will answer 403 ErrorAccessDenied (docs/service-behaviour.md#token-roles, #graph-access-denied):
        // say so before sending, with the roles actually seen. An app scoped with Exchange RBAC for Applications has no Mail.Send role
        // by design (docs/service-behaviour.md#exchange-rbac): Exchange decides.
        var scoped = request.SendScope?.IsMailbox == true;
        if (!claims.HasRole(MailSendRole) && scoped)
            reporter.Verbose($"The token carries no Mail.Send role, as expected: the app's Mail.Send is scoped to a mailbox with Exchange RBAC for Applications (SendScope {request.SendScope}), so the role check is skipped and Exchange decides.");
        else if (!claims.HasRole(MailSendRole) && request.SkipRoleCheck)
            reporter.Verbose("The token carries no Mail.Send role; sending anyway (-SkipRoleCheck: Exchange RBAC for Applications may allow it).");
        else if (!claims.HasRole(MailSendRole))
        {
            // The next attempt (after consent is granted) must get a fresh token: this one never gains the role.
            _session.ForgetAppClients(request.ClientId);
            throw new MailOAuthException(DiagnosisCatalog.TokenLacksMailSend(context, rolesText));
        }

        var subject = string.IsNullOrWhiteSpace(request.Subject) ? "MailOAuth test message" : request.Subject!;
        // A new body per attempt: the Graph models' backing store serialises only values changed since the
        // last serialisation, so re-sending the same object posts an empty message (ErrorInvalidParameter).
        SendMailPostRequestBody NewBody()
        {
            var mail = new SendMailPostRequestBody
            {
                Message = new Message
                {
                    Subject = subject,
                    Body = new ItemBody
                    {
                        ContentType = BodyType.Text,
                        Content = request.Body ?? $"This message was sent by MailOAuth through Microsoft Graph as {request.SenderAddress} (app {request.ClientId}, tenant {request.TenantId}).",
                    },
                    ToRecipients = request.To.Select(a => new Recipient { EmailAddress = new EmailAddress { Address = a } }).ToList(),
                },
                SaveToSentItems = false,
            };
            // Only when given: an explicit "from": null is refused by Graph (msgraph-sdk-dotnet #1808).
            if (request.From is not null) mail.Message!.From = new Recipient { EmailAddress = new EmailAddress { Address = request.From } };
            return mail;
        }

        var headers = new HeadersInspectionHandlerOption { InspectResponseHeaders = true };
        reporter.Verbose($"Sending a test message as {request.SenderAddress} to {string.Join(", ", request.To)}.");
        // The token had Mail.Send: a 403 ErrorAccessDenied now means the mailbox is out of scope (docs/service-behaviour.md#graph-access-denied)
        // — unless the grant is brand new, when Exchange may not honour it yet (docs/service-behaviour.md#replication): then wait, bounded.
        var withRoles = new DiagnosisContext
        {
            TenantId = context.TenantId, ClientId = context.ClientId, SenderAddress = context.SenderAddress,
            FromAddress = context.FromAddress, EnvironmentName = context.EnvironmentName, TokenHasMailSend = claims.HasRole(MailSendRole),
        };
        // A scoped app's denial is not waited for: Exchange's cache takes 30 min to 2 h and probing may keep a stale deny
        // (docs/service-behaviour.md#exchange-rbac); with -ExpectDenied a denial is the answer sought. Exactly one sendMail then.
        var grantIsNew = !scoped && !request.ExpectDenied && ReplicationWaiter.IsRecent(request.ProvisionedAt, _session.TimeProvider);
        if (request.ExpectDenied)
            reporter.Verbose($"-ExpectDenied: {request.SenderAddress} should be outside the app's scope, so 403 ErrorAccessDenied is the expected answer.");
        var waiter = new ReplicationWaiter(request.PropagationBudget, _session.TimeProvider);
        try
        {
            await waiter.UntilAsync($"Exchange Online honouring the new Mail.Send grant of app {request.ClientId}", grantIsNew, async c =>
            {
                // sendMail is not idempotent: after an answer lost in transit it is not repeated (no duplicate e-mail).
                await app.Graph.Users[request.SenderAddress].SendMail.PostAsync(NewBody(), config =>
                {
                    config.Options.Add(headers);
                    config.Options.Add(new Resilience.NoAmbiguousRetryOption());
                }, c).ConfigureAwait(false);
                return true;
            }, ex => GraphErrors.Is(ex, 403, "ErrorAccessDenied"), cancellationToken).ConfigureAwait(false);
        }
        catch (MailOAuthException timeout) when (timeout.Code == DiagnosisCode.ReplicationTimeout && timeout.InnerException is ODataError denied)
        {
            throw new MailOAuthException(GraphErrors.Explain(denied, withRoles, environment.GraphEndpoint).Diagnosis.WithNote(
                $"The grant is new: Exchange Online still refused after {waiter.Waited.TotalSeconds:0} s. A new grant can take several minutes to reach Exchange; if the mailbox is in scope, run the test again later."), denied);
        }
        catch (ODataError denied) when (request.ExpectDenied && GraphErrors.Is(denied, 403, "ErrorAccessDenied"))
        {
            var deniedId = GraphErrors.ToServiceError(denied).RequestId;
            reporter.Verbose($"Graph refused to send as {request.SenderAddress} (403 ErrorAccessDenied, request-id {deniedId}), as expected: the mailbox is outside the app's scope.");
            return Outcome(request, subject, deniedId, null, claims.Roles, environment.Name, MailTestOutcomeKind.DeniedAsExpected);
        }
        catch (ODataError denied) when (scoped && !claims.HasRole(MailSendRole) && GraphErrors.Is(denied, 403, "ErrorAccessDenied"))
        {
            // docs/service-behaviour.md#exchange-rbac: the same 403 for "not applied yet" and "out of scope"; only the assignment's age tells.
            var evidence = GraphErrors.Explain(denied, withRoles, environment.GraphEndpoint).Diagnosis;
            var now = _session.TimeProvider.GetUtcNow();
            var scopedMailbox = request.SendScope!.Mailbox;
            var outside = scopedMailbox is not null && !string.Equals(scopedMailbox, request.SenderAddress, StringComparison.OrdinalIgnoreCase);
            var diagnosis = !outside && request.ScopeAssignedOn is { } assignedOn && now - assignedOn < DiagnosisCatalog.ExchangeScopeCacheMax
                ? DiagnosisCatalog.MailboxScopeNotYetApplied(evidence, context, assignedOn, now)
                : DiagnosisCatalog.ScopedMailboxAccessDenied(evidence, context, scopedMailbox, request.ScopeAssignedOn, now);
            throw new MailOAuthException(diagnosis, denied);
        }
        catch (Exception ex) when (ex is ODataError or HttpRequestException)
        {
            var explained = GraphErrors.Explain(ex, withRoles, environment.GraphEndpoint);
            // A lost answer (reset, timeout) or a 504 may follow a message Graph already accepted.
            if (ex is Resilience.AmbiguousRequestException || GraphErrors.Is(ex, 504))
                explained = new MailOAuthException(explained.Diagnosis.WithNote(DiagnosisCatalog.NotRepeatedNote("the message")), ex);
            // "No such user" for an address that may be a mailbox's SMTP address: name its UPN when an admin connection can look it up.
            throw await SenderCheck.ExplainNotFoundAsync(_session, explained, request.TenantId, request.SenderAddress, cancellationToken).ConfigureAwait(false);
        }

        var requestId = GraphErrors.Header(headers.ResponseHeaders, "request-id");
        reporter.Verbose($"Graph accepted the message (202, request-id {requestId}). Delivery is asynchronous.");
        if (request.ExpectDenied)
            throw new MailOAuthException(DiagnosisCatalog.MailboxScopeNotEnforced(context, claims.HasRole(MailSendRole), requestId));
        return Outcome(request, subject, requestId, GraphErrors.Header(headers.ResponseHeaders, "client-request-id"), claims.Roles, environment.Name,
            MailTestOutcomeKind.Delivered);
    }

    private MailTestOutcome Outcome(MailTestRequest request, string subject, string? requestId, string? clientRequestId, IReadOnlyList<string> roles,
        string environment, MailTestOutcomeKind kind) => new()
    {
        TenantId = request.TenantId,
        ClientId = request.ClientId,
        SenderAddress = request.SenderAddress,
        From = request.From,
        To = request.To.ToList(),
        Subject = subject,
        SentAt = _session.TimeProvider.GetUtcNow(),
        RequestId = requestId,
        ClientRequestId = clientRequestId,
        TokenRoles = roles,
        Environment = environment,
        Outcome = kind,
    };
}
