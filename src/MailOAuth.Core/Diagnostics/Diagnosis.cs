using System;
using System.Text;

namespace MailOAuth.Core.Diagnostics;

/// <summary>
/// One explained failure: what happened (with the service's own evidence) and what the admin can do.
/// Never holds a secret or a token: only codes, ids and the service's message. Built only by
/// <see cref="DiagnosisCatalog"/> (its constructor is internal, and a test checks that no other file
/// calls it), so every explanation an admin can see is in one place.
/// </summary>
public sealed class Diagnosis
{
    internal Diagnosis(DiagnosisCode code, string cause, string remediation)
    {
        Code = code;
        Cause = cause;
        Remediation = remediation;
    }

    public DiagnosisCode Code { get; }

    /// <summary>The kind of failure: one per code (<see cref="DiagnosisCatalog.KindOf"/>).</summary>
    public DiagnosisKind Kind => DiagnosisCatalog.KindOf(Code);

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
    public Diagnosis WithNote(string note) => With(Cause + " " + note, Remediation);

    /// <summary>A copy with another cause and remediation and the same evidence (the catalogue's use only).</summary>
    internal Diagnosis With(string cause, string remediation) => new(Code, cause, remediation)
    {
        ServiceCode = ServiceCode, ServiceMessage = ServiceMessage, HttpStatus = HttpStatus, RequestId = RequestId,
        CorrelationId = CorrelationId, Retries = Retries, RetryWait = RetryWait,
    };

    public override string ToString() => Code + ": " + Message;
}
