using System;

namespace MailOAuth.Output;

/// <summary>The outcome of Send-MailOAuthTest: Graph accepted the message for delivery, or (-ExpectDenied) refused it as expected.</summary>
public sealed class MailOAuthTestResult
{
    internal MailOAuthTestResult(string tenantId, string clientId, string senderAddress, string? from, string[] to, string subject,
        DateTimeOffset sentAt, string? requestId, string? clientRequestId, string[] tokenRoles, string environment, string outcome)
    {
        Outcome = outcome;
        TenantId = tenantId;
        ClientId = clientId;
        SenderAddress = senderAddress;
        From = from;
        To = to;
        Subject = subject;
        SentAt = sentAt;
        RequestId = requestId;
        ClientRequestId = clientRequestId;
        TokenRoles = tokenRoles;
        Environment = environment;
    }

    /// <summary>
    /// "Accepted": Graph answered 202 (delivery itself is asynchronous, docs/service-behaviour.md#send-mail); "Denied": -ExpectDenied and
    /// Graph refused the out-of-scope mailbox with 403 ErrorAccessDenied (docs/service-behaviour.md#exchange-rbac).
    /// </summary>
    public string Status => Outcome == "DeniedAsExpected" ? "Denied" : "Accepted";

    /// <summary>What the test proved: Delivered (202) or DeniedAsExpected (-ExpectDenied, 403 ErrorAccessDenied).</summary>
    public string Outcome { get; }
    public string TenantId { get; }
    public string ClientId { get; }
    public string SenderAddress { get; }
    /// <summary>The From address when it differs from the mailbox; null otherwise.</summary>
    public string? From { get; }
    public string[] To { get; }
    public string Subject { get; }
    public DateTimeOffset SentAt { get; }
    /// <summary>Graph's request-id for the sendMail call, accepted or denied (quote it in a support case).</summary>
    public string? RequestId { get; }
    public string? ClientRequestId { get; }
    /// <summary>The application roles in the token used (e.g. Mail.Send).</summary>
    public string[] TokenRoles { get; }
    public string Environment { get; }

    public override string ToString() => $"{Status}: {SenderAddress} → {string.Join(", ", To)} (request-id {RequestId})";
}
