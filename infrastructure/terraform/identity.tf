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

# --- CI/CD principal: OIDC federation, no secret --------------------------------------------

resource "azurerm_user_assigned_identity" "ci" {
  name                = "id-${local.name}-ci"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  tags                = local.tags
}

resource "azurerm_federated_identity_credential" "ci" {
  for_each                  = toset(var.ci_oidc_subjects)
  name                      = "ci-${substr(sha1(each.value), 0, 12)}"
  user_assigned_identity_id = azurerm_user_assigned_identity.ci.id
  audience                  = ["api://AzureADTokenExchange"]
  issuer                    = var.ci_oidc_issuer
  subject                   = each.value
}

locals {
  ci_roles = {
    # Deploys the zip to the apps and swaps the slot.
    api_website_contributor    = { role = "Website Contributor", scope = azurerm_linux_web_app.api.id }
    worker_website_contributor = { role = "Website Contributor", scope = azurerm_linux_web_app.worker.id }
    # Reads the direct database URL for the migration step (seed: CI has Key Vault Secrets User).
    keyvault_secrets_user = { role = "Key Vault Secrets User", scope = azurerm_key_vault.main.id }
  }
}

resource "azurerm_role_assignment" "ci" {
  for_each             = local.ci_roles
  scope                = each.value.scope
  role_definition_name = each.value.role
  principal_id         = azurerm_user_assigned_identity.ci.principal_id
  principal_type       = "ServicePrincipal"
}
