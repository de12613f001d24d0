# Grant-MailSendConsent -Scope Mailbox / -Scope Tenant against the sandbox's Exchange RBAC for Applications
# (docs/service-behaviour.md#exchange-rbac): the onboarding pipeline ends with one Exchange assignment scoped to the
# sender and no tenant-wide Mail.Send anywhere; a re-run writes nothing; -Scope Tenant goes back; without
# RoleManagement.ReadWrite.Exchange nothing is removed; -WhatIf writes nothing; Get-MailOAuthApp's SendScope and the
# Scope check of Test-MailOAuthConfiguration for each state.
Describe 'Grant-MailSendConsent -Scope' -Tag 'Scope' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'Common.ps1')
        $script:sandbox = Start-TestSandbox
        $script:info = $sandbox.Info
        $script:sender = $info.mailboxes.licensed
        $script:adminToken = Get-SandboxAdminToken $sandbox
        $script:senderId = (Invoke-MailOAuthSandboxGraph -Sandbox $sandbox -Token $adminToken -Path "users/$sender").id
        $script:otherId = (Invoke-MailOAuthSandboxGraph -Sandbox $sandbox -Token $adminToken -Path "users/$($info.mailboxes.other)").id

        function script:Exchange { Invoke-MailOAuthSandboxControl -Sandbox $sandbox -Path '/_sandbox/exchange' }
        function script:AssignmentsOf([string] $SpId) { @((Exchange).assignments | Where-Object principalId -EQ "/ServicePrincipals/$SpId") }
        function script:NewApp {
            New-MailOAuthApp -DisplayName "Scoped $([guid]::NewGuid().ToString('n').Substring(0, 8))" -SenderAddress $sender -WarningAction SilentlyContinue
        }
        function script:CheckSettings([string] $App, [string] $Sender = $script:sender) {
            @{
                TenantId = $info.tenantId; ClientId = $info.apps.$App.clientId; ClientSecret = (ConvertTo-TestSecret $info.apps.$App.clientSecret)
                SenderAddress = $Sender; Environment = 'Sandbox'; SkipDns = $true
            }
        }
    }
    AfterAll {
        Disconnect-MailOAuth
        if ($sandbox) { Stop-MailOAuthSandbox -Sandbox $sandbox }
    }
    BeforeEach {
        Disconnect-MailOAuth
        Reset-SandboxTest -Sandbox $sandbox
    }

    Context 'scoping to the sender' {
        It 'onboarding with -Scope Mailbox ends with one Exchange assignment for the sender and no tenant-wide Mail.Send' {
            $r = NewApp | Grant-MailSendConsent -Scope Mailbox -PassThru -WarningVariable warned

            $r | Should -BeOfType 'MailOAuth.Output.MailOAuthConsentedApp'
            $r.SendScope | Should -Be "Mailbox: $sender"
            $r.ScopeAssignedOn | Should -Not -BeNullOrEmpty
            $r.Consent.Permission | Should -Be 'Mail.Send (Exchange RBAC)'
            $spId = $r.Consent.ServicePrincipalId
            $a = @(AssignmentsOf $spId)
            $a.Count | Should -Be 1
            $a[0].directoryScopeId | Should -Be "/Users/$senderId"
            $a[0].roleDefinitionId | Should -Be $info.exchangeMailSendRoleDefinitionId
            $r.Consent.AssignmentId | Should -Be $a[0].id
            @(TenantGrantsOf $spId).Count | Should -Be 0
            $app = AppOf $r.ClientId
            DeclaresMailSend $app | Should -BeFalse
            @($app.tags | Where-Object { $_ -like 'MailOAuth:SendScope=Mailbox;*' }).Count | Should -Be 1
            $app.tags | Should -Contain 'MailOAuth'
            ($warned -join ' ') | Should -Match 'required permissions'
        }

        It 'an app granted tenant-wide (it may be in use) is refused in one step without -KeepTenantGrant or -Force, and nothing is written' {
            $app = NewApp
            $app | Grant-MailSendConsent | Out-Null
            Reset-MailOAuthSandbox -Sandbox $sandbox

            $app | Grant-MailSendConsent -Scope Mailbox -ErrorAction SilentlyContinue -ErrorVariable failed | Should -BeNullOrEmpty

            $failed[0].FullyQualifiedErrorId | Should -BeLike 'MailboxScopeNotYetApplied,*'
            $failed[0].Exception.Message | Should -Match 'Nothing was changed'
            $failed[0].ErrorDetails.RecommendedAction | Should -Match '-KeepTenantGrant'
            @(Get-MailOAuthSandboxDirectoryWrite -Sandbox $sandbox).Count | Should -Be 0
            @(TenantGrantsOf $app.ServicePrincipalId).Count | Should -Be 1
            @(AssignmentsOf $app.ServicePrincipalId).Count | Should -Be 0
        }

        It 'with -Force the grant goes in one step, confirmed as High impact (this host cannot answer: nothing written), then with -Confirm:$false with one warning naming it, why and until when sends may be denied' {
            $app = NewApp
            $app | Grant-MailSendConsent | Out-Null
            Reset-MailOAuthSandbox -Sandbox $sandbox
            { $app | Grant-MailSendConsent -Scope Mailbox -Force -ErrorAction Stop } | Should -Throw -ExpectedMessage '*NonInteractive*Prompt*'
            @(Get-MailOAuthSandboxDirectoryWrite -Sandbox $sandbox).Count | Should -Be 0

            $c = $app | Grant-MailSendConsent -Scope Mailbox -Force -Confirm:$false -WarningVariable warned

            $c | Should -BeOfType 'MailOAuth.Output.MailOAuthConsent'
            $c.SendScope | Should -Be "Mailbox: $sender"
            $c.ScopeStage | Should -Be 'Enforced'
            @(TenantGrantsOf $app.ServicePrincipalId).Count | Should -Be 0
            @(AssignmentsOf $app.ServicePrincipalId).Count | Should -Be 1
            @($warned).Count | Should -Be 1
            $warned[0] | Should -Match 'tenant-wide Microsoft Graph Mail.Send grant'
            $warned[0] | Should -Match 'union'
            $warned[0] | Should -Match "may be denied"
            $warned[0] | Should -Match ([regex]::Escape($c.ScopeAssignedOn.UtcDateTime.AddHours(2).ToString('yyyy-MM-dd HH:mm')))
        }

        It 'the scoped pipeline sends as the sender once Exchange applied the scope' {
            $r = NewApp | Grant-MailSendConsent -Scope Mailbox -PassThru -WarningAction SilentlyContinue
            Invoke-MailOAuthSandboxControl -Sandbox $sandbox -Method POST -Path '/_sandbox/exchange/apply' | Out-Null

            $sent = $r | Send-MailOAuthTest -To admin@contoso.com

            $sent.SenderAddress | Should -Be $sender
            @(Get-MailOAuthSandboxOutbox -Sandbox $sandbox).Count | Should -Be 1
        }

        It 'a re-run changes nothing' {
            $app = NewApp
            $first = $app | Grant-MailSendConsent -Scope Mailbox -WarningAction SilentlyContinue
            Reset-MailOAuthSandbox -Sandbox $sandbox

            $again = $app | Grant-MailSendConsent -Scope Mailbox -WarningVariable warned

            @(Get-MailOAuthSandboxDirectoryWrite -Sandbox $sandbox).Count | Should -Be 0
            $again.AlreadyGranted | Should -BeTrue
            $again.ScopeAssignedOn | Should -Be $first.ScopeAssignedOn
            @(AssignmentsOf $app.ServicePrincipalId).Count | Should -Be 1
            @($warned).Count | Should -Be 0
        }

        It 'an assignment scoped to another mailbox is replaced by the sender''s' {
            $scoped = $info.apps.scoped
            Reset-MailOAuthSandbox -Sandbox $sandbox

            $c = Grant-MailSendConsent -ClientId $scoped.clientId -SenderAddress $info.mailboxes.other -Scope Mailbox -WarningVariable warned

            $c.SendScope | Should -Be "Mailbox: $($info.mailboxes.other)"
            $a = @(AssignmentsOf $scoped.servicePrincipalId)
            $a.Count | Should -Be 1
            $a[0].directoryScopeId | Should -Be "/Users/$otherId"
            ($warned -join ' ') | Should -Match "/Users/$senderId"
        }

        It '-Scope Mailbox without -SenderAddress is refused before anything is read' {
            Reset-MailOAuthSandbox -Sandbox $sandbox
            Grant-MailSendConsent -ClientId $info.apps.consented.clientId -Scope Mailbox -ErrorAction SilentlyContinue -ErrorVariable failed | Out-Null
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'SenderAddressRequired,*'
            @(Get-MailOAuthSandboxRequest -Sandbox $sandbox | Where-Object kind -EQ 'directory').Count | Should -Be 0
        }
    }

    Context 'staging the scope of a live app (-KeepTenantGrant)' {
        BeforeEach {
            # An app a platform sends with: granted tenant-wide, Mail.Send declared.
            $script:live = NewApp
            $live | Grant-MailSendConsent | Out-Null
            Reset-MailOAuthSandbox -Sandbox $sandbox
        }

        It 'makes the assignment and the tag only: the request log shows no grant removal, the grant and the declaration stay, and the app still sends' {
            $r = $live | Grant-MailSendConsent -Scope Mailbox -KeepTenantGrant -PassThru -WarningVariable warned

            $writes = @(Get-MailOAuthSandboxDirectoryWrite -Sandbox $sandbox)
            @($writes | Where-Object method -EQ 'DELETE').Count | Should -Be 0
            @($writes | ForEach-Object { "$($_.method) $($_.path)" }) | Should -Be @('POST /beta/roleManagement/exchange/roleAssignments', "PATCH /v1.0/applications/$($live.ObjectId)")
            @(TenantGrantsOf $live.ServicePrincipalId).Count | Should -Be 1
            DeclaresMailSend (AppOf $live.ClientId) | Should -BeTrue
            @(AssignmentsOf $live.ServicePrincipalId).Count | Should -Be 1
            @((AppOf $live.ClientId).tags | Where-Object { $_ -like 'MailOAuth:SendScope=Mailbox;*' }).Count | Should -Be 1
            $r.SendScope | Should -Be 'Tenant'
            $r.ScopeStage | Should -Be 'Staged'
            $r.ScopeAssignedOn | Should -Not -BeNullOrEmpty
            $r.Consent.AssignmentId | Should -Be (AssignmentsOf $live.ServicePrincipalId)[0].id
            ($warned -join ' ') | Should -Match 'without -KeepTenantGrant'
            ($warned -join ' ') | Should -Match ([regex]::Escape('after ' + $r.ScopeAssignedOn.UtcDateTime.AddHours(2).ToString('yyyy-MM-dd HH:mm')))
            # Tenant-wide in effect: the platform's next token still carries Mail.Send, even before Exchange applies anything.
            ($r | Send-MailOAuthTest -To admin@contoso.com).SenderAddress | Should -Be $sender
        }

        It 'Get-MailOAuthApp and the Scope check report it staged: tenant-wide in effect, the assignment named with when the grant can go' {
            $r = $live | Grant-MailSendConsent -Scope Mailbox -KeepTenantGrant -PassThru -WarningAction SilentlyContinue

            $a = Get-MailOAuthApp -ClientId $live.ClientId
            $a.SendScope | Should -Be 'Tenant'
            $a.ScopeStage | Should -Be 'Staged'
            $a.ScopeAssignedOn | Should -Be $r.ScopeAssignedOn
            $check = @(Test-MailOAuthConfiguration -TenantId $info.tenantId -ClientId $live.ClientId -ClientSecret $live.ClientSecret -SenderAddress $sender `
                -Environment Sandbox -SkipDns | Where-Object Check -EQ 'Scope')[0]
            $check.Status | Should -Be 'Warning'
            $check.DiagnosisCode | Should -Be 'MailSendTenantWide'
            $check.Message | Should -Match 'can send as any mailbox'
            $check.Message | Should -Match "staged"
            $check.Message | Should -Match "assignment for mailbox $([regex]::Escape($sender)) exists since"
            $check.Remediation | Should -Match ([regex]::Escape('After ' + $r.ScopeAssignedOn.UtcDateTime.AddHours(2).ToString('yyyy-MM-dd HH:mm')))
            $check.Remediation | Should -Match 'without -KeepTenantGrant'
        }

        It 'a run without -KeepTenantGrant within 2 hours of the assignment is refused and removes nothing' {
            $live | Grant-MailSendConsent -Scope Mailbox -KeepTenantGrant -WarningAction SilentlyContinue | Out-Null
            Reset-MailOAuthSandbox -Sandbox $sandbox

            $live | Grant-MailSendConsent -Scope Mailbox -ErrorAction SilentlyContinue -ErrorVariable failed | Should -BeNullOrEmpty

            $failed[0].FullyQualifiedErrorId | Should -BeLike 'MailboxScopeNotYetApplied,*'
            $failed[0].ErrorDetails.RecommendedAction | Should -Match 'Run the same command again after'
            @(Get-MailOAuthSandboxDirectoryWrite -Sandbox $sandbox).Count | Should -Be 0
            @(TenantGrantsOf $live.ServicePrincipalId).Count | Should -Be 1
        }

        It 'a run without -KeepTenantGrant once the assignment is over 2 hours old removes the grant and the declaration, without the gap warning' {
            $live | Grant-MailSendConsent -Scope Mailbox -KeepTenantGrant -WarningAction SilentlyContinue | Out-Null
            # The module knows the assignment's age from the app's tag only: the tag of a staging made 3 hours ago.
            $threeHoursAgo = [DateTimeOffset]::UtcNow.AddHours(-3).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", [cultureinfo]::InvariantCulture)
            Invoke-MailOAuthSandboxGraph -Sandbox $sandbox -Token $adminToken -Method PATCH -Path "applications/$($live.ObjectId)" `
                -Body @{ tags = @(@((AppOf $live.ClientId).tags | Where-Object { $_ -notlike 'MailOAuth:SendScope=*' }) + "MailOAuth:SendScope=Mailbox;$threeHoursAgo") } | Out-Null
            Reset-MailOAuthSandbox -Sandbox $sandbox

            $c = $live | Grant-MailSendConsent -Scope Mailbox -WarningVariable warned

            $c.SendScope | Should -Be "Mailbox: $sender"
            $c.ScopeStage | Should -Be 'Enforced'
            @(TenantGrantsOf $live.ServicePrincipalId).Count | Should -Be 0
            DeclaresMailSend (AppOf $live.ClientId) | Should -BeFalse
            @(AssignmentsOf $live.ServicePrincipalId).Count | Should -Be 1
            @(Get-MailOAuthSandboxDirectoryWrite -Sandbox $sandbox | Where-Object { $_.method -eq 'POST' }).Count | Should -Be 0
            @($warned).Count | Should -Be 1
            $warned[0] | Should -Match 'more than the 2 hours'
            $warned[0] | Should -Not -Match 'may be denied'
            (Get-MailOAuthApp -ClientId $live.ClientId).ScopeStage | Should -Be 'Enforced'
        }

        It '-WhatIf -KeepTenantGrant writes nothing' {
            $live | Grant-MailSendConsent -Scope Mailbox -KeepTenantGrant -WhatIf | Should -BeNullOrEmpty
            @(Get-MailOAuthSandboxDirectoryWrite -Sandbox $sandbox).Count | Should -Be 0
            @(AssignmentsOf $live.ServicePrincipalId).Count | Should -Be 0
        }

        It '-KeepTenantGrant without -Scope Mailbox is refused before anything is read' {
            $live | Grant-MailSendConsent -KeepTenantGrant -ErrorAction SilentlyContinue -ErrorVariable failed | Should -BeNullOrEmpty
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'KeepTenantGrantNeedsMailboxScope,*'
            @(Get-MailOAuthSandboxRequest -Sandbox $sandbox | Where-Object kind -EQ 'directory').Count | Should -Be 0
        }
    }

    Context 'going back with -Scope Tenant' {
        It 'without -Scope (a script written before scoping, run again) a scoped app is left scoped: a warning, no write' {
            $scoped = $info.apps.scoped
            Reset-MailOAuthSandbox -Sandbox $sandbox

            $c = @(Grant-MailSendConsent -ClientId $scoped.clientId -WarningVariable warned)

            $c.Count | Should -Be 0
            ($warned -join ' ') | Should -Match 'left as it is, nothing was changed\. Only an explicit -Scope Tenant widens it'
            @(Get-MailOAuthSandboxDirectoryWrite -Sandbox $sandbox).Count | Should -Be 0
            @(AssignmentsOf $scoped.servicePrincipalId).Count | Should -Be 1
            @(TenantGrantsOf $scoped.servicePrincipalId).Count | Should -Be 0
            (Get-MailOAuthApp -ClientId $scoped.clientId).SendScope | Should -Be 'Mailbox: sender@contoso.com'
        }

        It 'restores the tenant-wide grant and the declared permission, and removes the assignment and the tag' {
            $scoped = $info.apps.scoped
            @(AssignmentsOf $scoped.servicePrincipalId).Count | Should -Be 1

            $c = Grant-MailSendConsent -ClientId $scoped.clientId -Scope Tenant -WarningVariable warned

            $c.SendScope | Should -Be 'Tenant'
            $c.Permission | Should -Be 'Mail.Send (Application)'
            @(TenantGrantsOf $scoped.servicePrincipalId).Count | Should -Be 1
            @(AssignmentsOf $scoped.servicePrincipalId).Count | Should -Be 0
            $app = AppOf $scoped.clientId
            DeclaresMailSend $app | Should -BeTrue
            @($app.tags | Where-Object { $_ -like 'MailOAuth:SendScope=*' }).Count | Should -Be 0
            ($warned -join ' ') | Should -Match '30 minutes to 2 hours'
            (Get-MailOAuthApp -ClientId $scoped.clientId).SendScope | Should -Be 'Tenant'
        }
    }

    Context 'without the permission, and with -WhatIf, nothing is written' {
        It 'connected as adminNoExchangeRbac: InsufficientPrivileges naming the permission, and the tenant-wide grant stays' {
            $consented = $info.apps.consented
            Disconnect-MailOAuth
            Connect-MailOAuth -TenantId $info.tenantId -ClientId $info.adminNoExchangeRbac.clientId `
                -ClientSecret (ConvertTo-TestSecret $info.adminNoExchangeRbac.clientSecret) -Environment Sandbox | Out-Null
            Reset-MailOAuthSandbox -Sandbox $sandbox

            Grant-MailSendConsent -ClientId $consented.clientId -SenderAddress $sender -Scope Mailbox -Force -ErrorAction SilentlyContinue -ErrorVariable failed | Out-Null

            $failed[0].FullyQualifiedErrorId | Should -BeLike 'InsufficientPrivileges,*'
            $failed[0].Exception.Message | Should -Match 'RoleManagement\.ReadWrite\.Exchange'
            $failed[0].Exception.Message | Should -Match 'Exchange Administrator'
            $failed[0].ErrorDetails.RecommendedAction | Should -Match 'RoleManagement\.ReadWrite\.Exchange'
            @(Get-MailOAuthSandboxDirectoryWrite -Sandbox $sandbox).Count | Should -Be 0
            @(TenantGrantsOf $consented.servicePrincipalId).Count | Should -Be 1
        }

        It '-WhatIf on <Name> writes nothing' -ForEach @(
            @{ Name = '-Scope Mailbox of a tenant-wide app'; App = 'consented'; Scope = 'Mailbox' }
            @{ Name = '-Scope Tenant of a scoped app'; App = 'scoped'; Scope = 'Tenant' }
        ) {
            Reset-MailOAuthSandbox -Sandbox $sandbox
            $out = Grant-MailSendConsent -ClientId $info.apps.$App.clientId -SenderAddress $sender -Scope $Scope -Force -WhatIf
            $out | Should -BeNullOrEmpty
            @(Get-MailOAuthSandboxDirectoryWrite -Sandbox $sandbox).Count | Should -Be 0
        }
    }

    Context 'Connect-MailOAuth -ExchangeRbac' {
        It 'a device-code sign-in asking for RoleManagement.ReadWrite.Exchange by name gets it, and can scope' {
            Disconnect-MailOAuth
            $c = Connect-MailOAuth -TenantId $info.tenantId -UseDeviceCode -ExchangeRbac -Environment Sandbox -WarningAction SilentlyContinue
            $c.Method | Should -Be 'DeviceCode'
            $c.Scopes | Should -Contain 'RoleManagement.ReadWrite.Exchange'
            $c.Scopes | Should -Contain 'Application.ReadWrite.All'
            $r = Grant-MailSendConsent -ClientId $info.apps.consented.clientId -SenderAddress $sender -Scope Mailbox -Force -Confirm:$false -WarningAction SilentlyContinue
            $r.SendScope | Should -Be "Mailbox: $sender"
        }

        It 'is not offered for app-only sign-in (the identity needs the application permission instead)' {
            (Get-Command Connect-MailOAuth).Parameters['ExchangeRbac'].ParameterSets.Keys | Sort-Object | Should -Be @('DeviceCode', 'Interactive')
        }
    }

    Context 'Get-MailOAuthApp SendScope' {
        It 'reads <App> as <Scope>, Consent <Consent>' -ForEach @(
            @{ App = 'consented'; Scope = 'Tenant'; Consent = 'Granted' }
            @{ App = 'scoped'; Scope = 'Mailbox: sender@contoso.com'; Consent = 'ScopedToMailbox' }
            @{ App = 'unconsented'; Scope = 'None'; Consent = 'NotGranted' }
        ) {
            $a = Get-MailOAuthApp -ClientId $info.apps.$App.clientId
            $a.SendScope | Should -Be $Scope
            # A scoped app has no tenant-wide grant by design; the table's Consent column must not read as a missing consent.
            $a.Consent | Should -Be $Consent
            ($a | Out-String -Width 120) | Should -Match ([regex]::Escape($Consent))
            if ($App -eq 'unconsented') { $a.ScopeAssignedOn | Should -BeNullOrEmpty } else { $a.ScopeAssignedOn | Should -Not -BeNullOrEmpty }
        }

        It 'without RoleManagement.Read.* the scope comes from the tag, and Verbose says so' {
            Disconnect-MailOAuth
            Connect-MailOAuth -TenantId $info.tenantId -ClientId $info.adminNoExchangeRbac.clientId `
                -ClientSecret (ConvertTo-TestSecret $info.adminNoExchangeRbac.clientSecret) -Environment Sandbox | Out-Null
            $a = Get-MailOAuthApp -ClientId $info.apps.scoped.clientId -Verbose 4>&1
            $app = @($a | Where-Object { $_ -is [MailOAuth.Output.MailOAuthAppInfo] })[0]
            $app.SendScope | Should -Be 'Mailbox'
            $app.ScopeAssignedOn | Should -Not -BeNullOrEmpty
            ($a | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join ' ' | Should -Match 'tag'
        }
    }

    Context 'the Scope check' {
        It 'is <Status> for <Name>' -ForEach @(
            @{ Name = 'an app scoped to the sender'; App = 'scoped'; Sender = 'sender@contoso.com'; Status = 'Pass'; Code = '' }
            @{ Name = 'a tenant-wide app'; App = 'consented'; Sender = 'sender@contoso.com'; Status = 'Warning'; Code = 'MailSendTenantWide' }
            @{ Name = 'an app scoped to another mailbox'; App = 'scoped'; Sender = 'other@contoso.com'; Status = 'Fail'; Code = 'MailboxAccessDenied' }
        ) {
            $settings = CheckSettings $App $Sender
            $r = @(Test-MailOAuthConfiguration @settings | Where-Object Check -EQ 'Scope')
            $r.Count | Should -Be 1
            $r[0].Status | Should -Be $Status -Because $r[0].Message
            $r[0].DiagnosisCode | Should -Be $Code
            if ($Status -eq 'Warning') { $r[0].Message | Should -Match 'can send as any mailbox'; $r[0].Remediation | Should -Match 'Grant-MailSendConsent .*-Scope Mailbox' }
        }

        It 'a mailbox-scoped app passes Permission, AppRegistration, Consent, Scope and a real Send' {
            $settings = CheckSettings 'scoped'
            $results = @(Test-MailOAuthConfiguration @settings -To 'admin@contoso.com')
            foreach ($name in 'Credential', 'Permission', 'AppRegistration', 'Consent', 'Scope', 'Send') {
                $r = @($results | Where-Object Check -EQ $name)[0]
                $r.Status | Should -Be 'Pass' -Because "$name : $($r.Message)"
            }
            @($results | Where-Object Check -EQ 'Permission')[0].Message | Should -Match 'scoped to a mailbox'
            @(Get-MailOAuthSandboxOutbox -Sandbox $sandbox).Count | Should -Be 1
        }

        It 'is Skipped without an admin connection' {
            Disconnect-MailOAuth
            $settings = CheckSettings 'scoped'
            $r = @(Test-MailOAuthConfiguration @settings | Where-Object Check -EQ 'Scope')
            $r[0].Status | Should -Be 'Skipped'
            $r[0].Message | Should -Match 'Connect-MailOAuth'
        }
    }
}
