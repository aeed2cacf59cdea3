# Who may do what. The API, its staging slot and the worker authenticate with system-assigned
# identities holding exactly the roles they need (seed "Identity"); the CI principal is a
# user-assigned identity with federated credentials (OIDC), so no client secret exists anywhere.

locals {
  app_principals = merge(
    {
      api    = azurerm_linux_web_app.api.identity[0].principal_id
      worker = azurerm_linux_web_app.worker.identity[0].principal_id
    },
    # A slot has its own identity, which does not swap: it needs the same roles.
    var.deployment_slot_enabled ? { api_staging_slot = azurerm_linux_web_app_slot.staging[0].identity[0].principal_id } : {},
  )

  app_roles = {
    keyvault_secrets_user  = { role = "Key Vault Secrets User", scope = azurerm_key_vault.main.id }
    blob_data_contributor  = { role = "Storage Blob Data Contributor", scope = azurerm_storage_account.main.id }
    table_data_contributor = { role = "Storage Table Data Contributor", scope = azurerm_storage_account.main.id }
    openai_user            = { role = "Cognitive Services OpenAI User", scope = azurerm_cognitive_account.openai.id }
    metrics_publisher      = { role = "Monitoring Metrics Publisher", scope = azurerm_application_insights.component["app"].id }
  }

  app_role_assignments = {
    for pair in setproduct(keys(local.app_principals), keys(local.app_roles)) :
    "${pair[0]}-${pair[1]}" => { principal = pair[0], role = pair[1] }
  }
}

resource "azurerm_role_assignment" "app" {
  for_each             = local.app_role_assignments
  scope                = local.app_roles[each.value.role].scope
  role_definition_name = local.app_roles[each.value.role].role
  principal_id         = local.app_principals[each.value.principal]
  principal_type       = "ServicePrincipal"
}

# The staging slot reports to its own Application Insights component.
resource "azurerm_role_assignment" "slot_metrics_publisher" {
  count                = var.deployment_slot_enabled ? 1 : 0
  scope                = azurerm_application_insights.component["staging_slot"].id
  role_definition_name = "Monitoring Metrics Publisher"
  principal_id         = azurerm_linux_web_app_slot.staging[0].identity[0].principal_id
  principal_type       = "ServicePrincipal"
}

# --- Pipeline identities: one per CD stage, trusted only by that stage's jobs ----------------
#
# A job logs in as the identity its GitHub environment (or Azure DevOps service connection)
# is federated with, so each identity must hold exactly what the jobs of that stage touch
# (test/delivery/identity-model.test.ts derives both sides from the files and compares them):
#   slot        CD's pre-production stage (GitHub environment `production-slot`, service
#               connection `azimuth-<env>-slot`): migrates the slot's database from the private
#               runner, deploys to the `staging` slot, smoke-tests it.
#   production  CD's production stage (GitHub environment `production`, service connection
#               `azimuth-<env>-production`, behind approvals): migrates production's database
#               from the private runner, swaps the slot in (and back), watches the site's
#               metrics for 15 minutes, deploys the worker and the console.
# No client secret exists anywhere. The principal that runs Terraform itself is bootstrapped out
# of band (infrastructure/README.md, "First deployment").

locals {
  # Every grant of every pipeline identity, flat, so the offline identity model reads it as
  # written. `enabled` (known at plan time, unlike an id) says whether the scope exists here.
  pipeline_grants = {
    # Only the one secret each migration step reads, not the vault (which holds the JWT secret):
    # the slot stage migrates the slot's own database (staging_database.tf) before deploying to
    # it, the production stage migrates production's just before the swap.
    "slot/migration-secret" = {
      enabled  = var.deployment_slot_enabled
      identity = "slot"
      role     = "Key Vault Secrets User"
      scope    = "${azurerm_key_vault.main.id}/secrets/${local.secret_names.database_slot_direct}"
    }
    # The slot is a child resource: this grants nothing on the production site itself.
    "slot/staging-slot" = {
      enabled  = var.deployment_slot_enabled
      identity = "slot"
      role     = "Website Contributor"
      scope    = one(azurerm_linux_web_app_slot.staging[*].id)
    }
    "production/migration-secret" = {
      enabled  = true
      identity = "production"
      role     = "Key Vault Secrets User"
      scope    = "${azurerm_key_vault.main.id}/secrets/${local.secret_names.database_direct}"
    }
    # Swapping acts on the site and its slots (the slot is under the site's scope).
    "production/api" = {
      enabled  = true
      identity = "production"
      role     = "Website Contributor"
      scope    = azurerm_linux_web_app.api.id
    }
    # The watched swap reads the API site's platform metrics (Requests, Http5xx) for 15 minutes
    # after the swap (scripts/swap-watch.ts). Website Contributor has Microsoft.Web/sites/* but
    # not Microsoft.Insights/metrics/read; Monitoring Reader is the narrowest built-in role that
    # has it, and only on this site.
    "production/api-metrics" = {
      enabled  = true
      identity = "production"
      role     = "Monitoring Reader"
      scope    = azurerm_linux_web_app.api.id
    }
    "production/worker" = {
      enabled  = true
      identity = "production"
      role     = "Website Contributor"
      scope    = azurerm_linux_web_app.worker.id
    }
    # Reads the console's deployment token at deploy time (`az staticwebapp secrets list`,
    # Microsoft.Web/staticSites/listSecrets/action); no built-in role narrower than Contributor
    # carries it, so the scope is that one site.
    "production/console" = {
      enabled  = local.console_enabled
      identity = "production"
      role     = "Contributor"
      scope    = one(azurerm_static_web_app.console[*].id)
    }
  }

  pipeline_role_assignments = {
    for key, grant in local.pipeline_grants : key => grant
    if grant.enabled && contains(keys(var.ci_oidc_subjects), grant.identity)
  }
}

resource "azurerm_user_assigned_identity" "ci" {
  for_each            = var.ci_oidc_subjects
  name                = "id-${local.name}-cd-${each.key}"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  tags                = local.tags
}

# One credential per pipeline system. Azure refuses concurrent credential writes on one identity
# (ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity, azurerm issue #19968),
# so the Azure DevOps credential waits for the GitHub one.
resource "azurerm_federated_identity_credential" "ci" {
  for_each                  = { for identity, subjects in var.ci_oidc_subjects : identity => subjects.github if subjects.github != "" }
  name                      = "github-${each.key}"
  user_assigned_identity_id = azurerm_user_assigned_identity.ci[each.key].id
  audience                  = ["api://AzureADTokenExchange"]
  issuer                    = var.ci_oidc_issuer
  subject                   = each.value
}

resource "azurerm_federated_identity_credential" "ci_azure_devops" {
  for_each = {
    for identity, subjects in var.ci_oidc_subjects : identity => subjects.azure_devops
    if subjects.azure_devops != "" && var.ci_azure_devops_oidc_issuer != ""
  }
  name                      = "azure-devops-${each.key}"
  user_assigned_identity_id = azurerm_user_assigned_identity.ci[each.key].id
  audience                  = ["api://AzureADTokenExchange"]
  issuer                    = var.ci_azure_devops_oidc_issuer
  subject                   = each.value
  depends_on                = [azurerm_federated_identity_credential.ci]
}

resource "azurerm_role_assignment" "ci" {
  for_each             = local.pipeline_role_assignments
  scope                = each.value.scope
  role_definition_name = each.value.role
  principal_id         = azurerm_user_assigned_identity.ci[each.value.identity].principal_id
  principal_type       = "ServicePrincipal"
  # A role assignment's scope must exist: the migration secrets are scopes (keyvault.tf).
  depends_on = [azapi_resource.database_url]
}

output "CI_CLIENT_IDS" {
  description = "Client id of each pipeline identity (azure/login or the service connection; no secret)."
  value       = { for identity, id in azurerm_user_assigned_identity.ci : identity => id.client_id }
}
