# The same profile as acme-panel.json, as a PowerShell data file.
@{
    Name              = 'AcmePanel'
    AuthScheme        = 'Header'
    AuthHeader        = 'X-Api-Key'
    SettingsPath      = '/rest/mail/oauth-config'
    GetMethod         = 'GET'
    SetMethod         = 'POST'
    ProviderValue     = 'office365'
    Fields            = @{
        provider         = 'mailProvider'
        tenantId         = 'directoryId'
        clientId         = 'applicationId'
        clientSecret     = 'applicationSecret'
        senderAddress    = 'fromAddress'
        clientSecretHint = 'secretHint'
        updatedAt        = 'modified'
    }
    ErrorsField       = 'errors'
    TestPath          = '/rest/mail/send-test'
    TestMethod        = 'POST'
    TestToField       = 'recipient'
    DeliveredField    = 'ok'
    MessageIdField    = 'id'
    ErrorCodeField    = $null
    ErrorMessageField = 'problem'
}
