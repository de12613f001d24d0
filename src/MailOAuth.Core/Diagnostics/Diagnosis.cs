using System;
using System.Text;

namespace MailOAuth.Core.Diagnostics;

/// <summary>
/// One explained failure: what happened (with the service's own evidence) and what the admin can do.
/// Never holds a secret or a token: only codes, ids and the service's message.
/// </summary>
public sealed class Diagnosis
{
    public Diagnosis(DiagnosisCode code, DiagnosisKind kind, string cause, string remediation)
    {
        Code = code;
        Kind = kind;
        Cause = cause;
        Remediation = remediation;
    }

    public DiagnosisCode Code { get; }
    public DiagnosisKind Kind { get; }

    /// <summary>What went wrong, in the admin's terms.</summary>
    public string Cause { get; }

    /// <summary>What to do about it.</summary>
    public string Remediation { get; }

    /// <summary>The service's own code: "AADSTS7000215", "ErrorAccessDenied", … (null when none).</summary>
    public string? ServiceCode { get; init; }

    /// <summary>The service's message, first line only (Entra's trace/correlation suffix removed).</summary>
    public string? ServiceMessage { get; init; }

    /// <summary>HTTP status of the answer that failed (0 when there was no answer).</summary>
    public int HttpStatus { get; init; }

    /// <summary>Graph request-id or Entra trace id, for a support case.</summary>
    public string? RequestId { get; init; }

    /// <summary>Entra correlation id (or Graph client-request-id).</summary>
    public string? CorrelationId { get; init; }

    /// <summary>Transient failures: how many retries were made and how long was waited.</summary>
    public int Retries { get; init; }
    public TimeSpan RetryWait { get; init; }

    /// <summary>The text of the error message: cause, then the evidence.</summary>
    public string Message
    {
        get
        {
            var sb = new StringBuilder(Cause);
            if (ServiceCode is not null || RequestId is not null || HttpStatus != 0)
            {
                sb.Append(" [");
                var first = true;
                void Part(string text) { if (!first) sb.Append("; "); sb.Append(text); first = false; }
                if (ServiceCode is not null) Part(ServiceCode);
                if (HttpStatus != 0) Part("HTTP " + HttpStatus);
                if (RequestId is not null) Part("request-id " + RequestId);
                if (CorrelationId is not null && CorrelationId != RequestId) Part("correlation-id " + CorrelationId);
                sb.Append(']');
            }
            if (Retries > 0) sb.Append($" Retried {Retries} time{(Retries == 1 ? "" : "s")} over {RetryWait.TotalSeconds:0.#} s.");
            if (!string.IsNullOrEmpty(ServiceMessage)) sb.Append(" Service said: ").Append(ServiceMessage);
            return sb.ToString();
        }
    }

    /// <summary>A copy with a sentence added to the cause (e.g. what was left half-made).</summary>
    public Diagnosis WithNote(string note) => new(Code, Kind, Cause + " " + note, Remediation)
    {
        ServiceCode = ServiceCode, ServiceMessage = ServiceMessage, HttpStatus = HttpStatus, RequestId = RequestId,
        CorrelationId = CorrelationId, Retries = Retries, RetryWait = RetryWait,
    };

    public override string ToString() => Code + ": " + Message;
}
