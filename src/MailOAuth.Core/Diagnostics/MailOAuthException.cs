using System;

namespace MailOAuth.Core.Diagnostics;

/// <summary>
/// The one exception type Core throws for an explained failure. The cmdlet base class maps it once
/// into an ErrorRecord (ErrorId = <see cref="Diagnosis.Code"/>). Its message never carries a secret.
/// </summary>
public sealed class MailOAuthException : Exception
{
    public MailOAuthException(Diagnosis diagnosis, Exception? inner = null)
        : base(diagnosis.Message, inner)
    {
        Diagnosis = diagnosis;
    }

    public Diagnosis Diagnosis { get; }

    public DiagnosisCode Code => Diagnosis.Code;
}
