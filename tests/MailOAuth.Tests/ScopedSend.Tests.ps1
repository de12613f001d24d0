# Proving a mailbox-scoped setup (Exchange RBAC for Applications, docs/service-behaviour.md#exchange-rbac) with
# Send-MailOAuthTest -SendScope / -ScopeAssignedOn / -ExpectDenied against the sandbox. The sandbox's Exchange cache is
# driven through its control endpoints (/_sandbox/exchange, /_sandbox/exchange/apply): nothing sleeps.
Describe 'Send-MailOAuthTest for a mailbox-scoped app' -Tag 'Send', 'Scope' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'Common.ps1')
        $script:sandbox = Start-MailOAuthSandbox
        Register-MailOAuthSandboxEnvironment -Sandbox $sandbox | Out-Null
        $script:info = $sandbox.Info
        $script:cmd = 'MailOAuth.Commands.SendMailOAuthTestCommand'
        $script:sender = $info.mailboxes.licensed
        $script:other = $info.mailboxes.other

        function script:Get-SendMailRequest { @(Get-MailOAuthSandboxRequest -Sandbox $sandbox | Where-Object { $_.path -like '*/sendMail' }) }

        function script:Get-ScopeAssignedOn {
            # The assignment time the module keeps in the app's tag: MailOAuth:SendScope=Mailbox;<UTC>.
            param([string] $ObjectId)
            $admin = Get-MailOAuthSandboxToken -Sandbox $sandbox -ClientId $info.admin.clientId -ClientSecret $info.admin.clientSecret
            $tag = (Invoke-MailOAuthSandboxGraph -Sandbox $sandbox -Token $admin -Path "applications/$ObjectId").tags | Where-Object { $_ -like 'MailOAuth:SendScope=Mailbox;*' }
            [DateTimeOffset]::Parse($tag.Substring('MailOAuth:SendScope=Mailbox;'.Length), [cultureinfo]::InvariantCulture)
        }

        function script:New-PendingAssignment {
            # A fresh scoped app: the unconsented app (no Mail.Send anywhere) gets an "Application Mail.Send" assignment for the
            # sender through Graph beta with the admin token, while the cache delay is long: not applied yet.
            Set-MailOAuthSandboxExchange -Sandbox $sandbox -CacheDelaySeconds 3600 | Out-Null
            $admin = Get-MailOAuthSandboxToken -Sandbox $sandbox -ClientId $info.admin.clientId -ClientSecret $info.admin.clientSecret
            $senderId = (Invoke-MailOAuthSandboxGraph -Sandbox $sandbox -Token $admin -Path "users/$sender").id
            Invoke-MailOAuthSandboxGraph -Sandbox $sandbox -Token $admin -Version beta -Method POST -Path 'roleManagement/exchange/roleAssignments' -Body @{
                principalId = "/ServicePrincipals/$($info.apps.unconsented.servicePrincipalId)"; roleDefinitionId = $info.exchangeMailSendRoleDefinitionId
                directoryScopeId = "/Users/$senderId"; appScopeId = $null
            }
        }
    }
    AfterAll { if ($sandbox) { Stop-MailOAuthSandbox -Sandbox $sandbox } }
    BeforeEach {
        Reset-MailOAuthSandboxDirectory -Sandbox $sandbox
        Reset-MailOAuthSandbox -Sandbox $sandbox
    }

    It 'sends as the sender once the assignment is applied: no role check, one sendMail, Outcome Delivered' {
        $p = Get-SendParams -Sandbox $sandbox -App scoped
        $assignedOn = Get-ScopeAssignedOn -ObjectId $info.apps.scoped.objectId
        $records = Send-MailOAuthTest @p -SendScope "Mailbox: $sender" -ScopeAssignedOn $assignedOn -Verbose 4>&1
        $result = @($records | Where-Object { $_ -is [MailOAuth.Output.MailOAuthTestResult] })
        $verbose = @($records | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }) -join "`n"

        $result.Count | Should -Be 1
        $result[0].Outcome | Should -Be 'Delivered'
        $result[0].Status | Should -Be 'Accepted'
        $result[0].TokenRoles | Should -BeNullOrEmpty
        $verbose | Should -Match 'role check is skipped'
        $verbose | Should -Match 'scoped to a mailbox'
        (Get-SendMailRequest).Count | Should -Be 1
        @(Get-MailOAuthSandboxOutbox -Sandbox $sandbox).Count | Should -Be 1
    }

    It 'without -SendScope the same app stops at the role check (the scope is what makes the missing role expected)' {
        $p = Get-SendParams -Sandbox $sandbox -App scoped
        { Send-MailOAuthTest @p -ErrorAction Stop } | Should -Throw -ErrorId "MailSendPermissionMissing,$cmd"
        (Get-SendMailRequest).Count | Should -Be 0
    }

    It 'binds SendScope and ScopeAssignedOn by property name' {
        $p = Get-SendParams -Sandbox $sandbox -App scoped
        $in = [pscustomobject]@{
            TenantId = $p.TenantId; ClientId = $p.ClientId; ClientSecret = $p.ClientSecret; SenderAddress = $sender; Environment = 'Sandbox'
            SendScope = "Mailbox: $sender"; ScopeAssignedOn = (Get-ScopeAssignedOn -ObjectId $info.apps.scoped.objectId)
        }
        ($in | Send-MailOAuthTest -To 'admin@contoso.com').Outcome | Should -Be 'Delivered'
    }

    It 'before the assignment applies: MailboxScopeNotYetApplied with the minutes, the retry time, and exactly one sendMail' {
        New-PendingAssignment | Out-Null
        $p = Get-SendParams -Sandbox $sandbox -App unconsented
        $assignedOn = [DateTimeOffset]::UtcNow.AddMinutes(-7)
        # SecretCreatedOn "now" would make a tenant-wide send wait for a new grant; a scoped send never loops.
        $err = $null
        Send-MailOAuthTest @p -SendScope "Mailbox: $sender" -ScopeAssignedOn $assignedOn -SecretCreatedOn ([DateTimeOffset]::UtcNow) `
            -ErrorAction SilentlyContinue -ErrorVariable err | Should -BeNullOrEmpty

        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be "MailboxScopeNotYetApplied,$cmd"
        $err[0].Exception.Message | Should -Match '\b7 minutes ago'
        $err[0].Exception.Message | Should -Match '30 minutes to 2 hours'
        $err[0].Exception.Message | Should -Match 'ErrorAccessDenied'
        $err[0].ErrorDetails.RecommendedAction | Should -Match ([regex]::Escape($assignedOn.AddHours(2).UtcDateTime.ToString('yyyy-MM-dd HH:mm', [cultureinfo]::InvariantCulture) + ' UTC'))
        $err[0].ErrorDetails.RecommendedAction | Should -Match 'stale deny'
        (Get-SendMailRequest).Count | Should -Be 1

        # The cache, not the setup: once Exchange applies the assignment the same send goes through.
        Invoke-MailOAuthSandboxExchangeApply -Sandbox $sandbox | Out-Null
        (Send-MailOAuthTest @p -SendScope "Mailbox: $sender" -ScopeAssignedOn $assignedOn).Outcome | Should -Be 'Delivered'
        (Get-SendMailRequest).Count | Should -Be 2
    }

    It 'long after the assignment, a deny is MailboxAccessDenied naming the Exchange assignment' {
        # The seeded scoped app's assignment removed (and the removal applied): its tag still says it was scoped long ago.
        $admin = Get-MailOAuthSandboxToken -Sandbox $sandbox -ClientId $info.admin.clientId -ClientSecret $info.admin.clientSecret
        $assignment = @((Get-MailOAuthSandboxExchange -Sandbox $sandbox).assignments)[0]
        Invoke-MailOAuthSandboxGraph -Sandbox $sandbox -Token $admin -Version beta -Method DELETE -Path "roleManagement/exchange/roleAssignments/$($assignment.id)" | Out-Null
        Invoke-MailOAuthSandboxExchangeApply -Sandbox $sandbox | Out-Null
        $p = Get-SendParams -Sandbox $sandbox -App scoped
        $err = $null
        Send-MailOAuthTest @p -SendScope "Mailbox: $sender" -ScopeAssignedOn (Get-ScopeAssignedOn -ObjectId $info.apps.scoped.objectId) `
            -ErrorAction SilentlyContinue -ErrorVariable err | Should -BeNullOrEmpty

        $err[0].FullyQualifiedErrorId | Should -Be "MailboxAccessDenied,$cmd"
        $err[0].Exception.Message | Should -Match 'past the documented 2 hours'
        $err[0].ErrorDetails.RecommendedAction | Should -Match 'Application Mail.Send'
        $err[0].ErrorDetails.RecommendedAction | Should -Match 'Get-MailOAuthApp shows SendScope'
        (Get-SendMailRequest).Count | Should -Be 1
    }

    It 'a sender outside the named scope is MailboxAccessDenied even right after the assignment' {
        $p = Get-SendParams -Sandbox $sandbox -App scoped -Sender $other
        $err = $null
        Send-MailOAuthTest @p -SendScope "Mailbox: $sender" -ScopeAssignedOn ([DateTimeOffset]::UtcNow.AddMinutes(-3)) -ErrorAction SilentlyContinue -ErrorVariable err

        $err[0].FullyQualifiedErrorId | Should -Be "MailboxAccessDenied,$cmd"
        $err[0].Exception.Message | Should -Match "'$([regex]::Escape($other))' is outside that scope"
    }

    It '-ExpectDenied as another mailbox is success: Outcome DeniedAsExpected, nothing sent, one sendMail' {
        $p = Get-SendParams -Sandbox $sandbox -App scoped -Sender $other
        $result = Send-MailOAuthTest @p -SendScope "Mailbox: $sender" -ExpectDenied

        $result | Should -BeOfType 'MailOAuth.Output.MailOAuthTestResult'
        $result.Outcome | Should -Be 'DeniedAsExpected'
        $result.Status | Should -Be 'Denied'
        $result.SenderAddress | Should -Be $other
        $result.RequestId | Should -Not -BeNullOrEmpty
        @(Get-MailOAuthSandboxOutbox -Sandbox $sandbox).Count | Should -Be 0
        $sends = Get-SendMailRequest
        $sends.Count | Should -Be 1
        $sends[0].status | Should -Be 403
    }

    It '-ExpectDenied with a tenant-wide app believed scoped is MailboxScopeNotEnforced' {
        $p = Get-SendParams -Sandbox $sandbox -App consented -Sender $other
        $err = $null
        Send-MailOAuthTest @p -SendScope "Mailbox: $sender" -ExpectDenied -ErrorAction SilentlyContinue -ErrorVariable err | Should -BeNullOrEmpty

        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be "MailboxScopeNotEnforced,$cmd"
        $err[0].Exception.Message | Should -Match 'tenant-wide Mail.Send'
        $err[0].ErrorDetails.RecommendedAction | Should -Match 'Grant-MailSendConsent -Scope Mailbox'
        $err[0].ErrorDetails.RecommendedAction | Should -Match 'SendScope'
        (Get-SendMailRequest).Count | Should -Be 1
    }

    It '-ExpectDenied without a mailbox scope that leaves the sender out is ExpectDeniedWithoutScope and requests nothing' -ForEach @(
        @{ Case = 'no -SendScope'; Scope = @{} }
        @{ Case = 'Tenant'; Scope = @{ SendScope = 'Tenant' } }
        @{ Case = 'None'; Scope = @{ SendScope = 'None' } }
        @{ Case = 'the sender itself'; Scope = @{ SendScope = 'Mailbox: OTHER' } }
    ) {
        # The unconsented app has no grant and no assignment: it is refused for every mailbox, so its 403 proves no scope.
        $p = Get-SendParams -Sandbox $sandbox -App unconsented -Sender $other
        if ($Scope.SendScope -eq 'Mailbox: OTHER') { $Scope.SendScope = "Mailbox: $other" }
        $err = $null
        Send-MailOAuthTest @p @Scope -SkipRoleCheck -ExpectDenied -ErrorAction SilentlyContinue -ErrorVariable err | Should -BeNullOrEmpty

        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be "ExpectDeniedWithoutScope,$cmd"
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err[0].Exception.Message | Should -Match 'Nothing was sent'
        $err[0].ErrorDetails.RecommendedAction | Should -Match 'outside the scope'
        @(Get-MailOAuthSandboxRequest -Sandbox $sandbox).Count | Should -Be 0
    }

    It '-ExpectDenied with -SendScope Mailbox (no mailbox named) warns that the denial proves the scope only for a sender outside it' {
        $p = Get-SendParams -Sandbox $sandbox -App scoped -Sender $other
        $records = Send-MailOAuthTest @p -SendScope Mailbox -ExpectDenied 3>&1
        $result = @($records | Where-Object { $_ -is [MailOAuth.Output.MailOAuthTestResult] })
        $warning = @($records | Where-Object { $_ -is [System.Management.Automation.WarningRecord] })

        $result.Count | Should -Be 1
        $result[0].Outcome | Should -Be 'DeniedAsExpected'
        $warning.Count | Should -Be 1
        $warning[0].Message | Should -Match "only if $([regex]::Escape($other)) is outside it"
        (Get-SendMailRequest).Count | Should -Be 1
    }

    It '-ExpectDenied keeps a different failure its own diagnosis' {
        $p = Get-SendParams -Sandbox $sandbox -App scoped -Sender $other -Secret 'Wrong8Q~NotTheSecretOfThisApp_1234567890ab'
        { Send-MailOAuthTest @p -SendScope "Mailbox: $sender" -ExpectDenied -ErrorAction Stop } | Should -Throw -ErrorId "InvalidClientSecret,$cmd"
        (Get-SendMailRequest).Count | Should -Be 0
    }

    It '-ExpectDenied -WhatIf requests nothing' {
        $p = Get-SendParams -Sandbox $sandbox -App scoped -Sender $other
        Send-MailOAuthTest @p -SendScope Mailbox -ExpectDenied -WhatIf | Should -BeNullOrEmpty
        @(Get-MailOAuthSandboxRequest -Sandbox $sandbox).Count | Should -Be 0
    }

    It 'refuses a -SendScope that is not a scope' {
        $p = Get-SendParams -Sandbox $sandbox -App scoped
        { Send-MailOAuthTest @p -SendScope 'Mailbox: nobody' } | Should -Throw -ErrorId "ParameterArgumentValidationError,$cmd"
        { Send-MailOAuthTest @p -SendScope 'Everything' } | Should -Throw -ErrorId "ParameterArgumentValidationError,$cmd"
        @(Get-MailOAuthSandboxRequest -Sandbox $sandbox).Count | Should -Be 0
    }
}
