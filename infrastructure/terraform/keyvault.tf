# Key Vault: Standard, RBAC authorization, purge protection, 90-day soft delete, private
# endpoint (networking.tf), public access off in staging/production. Secrets follow the seed's
# `{app}-{component}-{purpose}` naming, expire (rotation section) and, where Terraform makes
# the value, are written with write-only arguments so the values never reach the state file.

resource "azurerm_key_vault" "main" {
  name                          = "kv-${substr(local.compact, 0, 14)}-${local.suffix}"
  location                      = azurerm_resource_group.main.location
  resource_group_name           = azurerm_resource_group.main.name
  tenant_id                     = data.azurerm_client_config.current.tenant_id
  sku_name                      = "standard"
  rbac_authorization_enabled    = true
  purge_protection_enabled      = true
  soft_delete_retention_days    = 90
  public_network_access_enabled = var.public_network_access_enabled
  tags                          = local.tags

  network_acls {
    default_action = var.public_network_access_enabled ? "Allow" : "Deny"
    bypass         = "AzureServices"
  }
}

# Whoever runs Terraform writes the secrets below; application identities only read (identity.tf).
resource "azurerm_role_assignment" "deployer_secrets_officer" {
  scope                = azurerm_key_vault.main.id
  role_definition_name = "Key Vault Secrets Officer"
  principal_id         = data.azurerm_client_config.current.object_id
}

# The developer running `azd up` reads secrets outside production only (seed: developers have none in prod).
resource "azurerm_role_assignment" "developer_secrets_user" {
  count                = var.principal_id != "" && !local.is_prod ? 1 : 0
  scope                = azurerm_key_vault.main.id
  role_definition_name = "Key Vault Secrets User"
  principal_id         = var.principal_id
}

locals {
  secret_names = {
    database        = "azimuth-db-connection-string"
    database_direct = "azimuth-db-direct-connection-string"
    database_slot   = "azimuth-db-staging-slot-connection-string"
    redis           = "azimuth-redis-connection-string"
    jwt             = "azimuth-auth-jwt-secret"
    telemetry       = "azimuth-appinsights-connection-string"
    telemetry_slot  = "azimuth-appinsights-staging-slot-connection-string"
  }
  # App Service resolves these at start-up with the app's managed identity.
  kv_ref = { for k, s in local.secret_names : k => "@Microsoft.KeyVault(SecretUri=${azurerm_key_vault.main.vault_uri}secrets/${s}/)" }
}

ephemeral "random_password" "jwt" {
  length  = 64
  special = false
}

# The app connects through the built-in PgBouncer (port 6432, transaction mode) where the SKU has
# it; migrations, run by the pipeline, use the direct port 5432 (session features, advisory locks).
# The staging slot has its own (sticky) secret: it starts as the production URL and can be
# pointed at a staging database with `az keyvault secret set` without touching Terraform.
locals {
  database_url_ports = merge(
    { (local.secret_names.database) = local.app_database_port, (local.secret_names.database_direct) = 5432 },
    var.deployment_slot_enabled ? { (local.secret_names.database_slot) = local.app_database_port } : {},
  )
}

resource "azurerm_key_vault_secret" "database_url" {
  for_each         = local.database_url_ports
  name             = each.key
  key_vault_id     = azurerm_key_vault.main.id
  content_type     = "postgresql-url"
  expiration_date  = var.secrets_expire_on
  value_wo         = "postgresql://${local.postgres_admin_login}:${urlencode(ephemeral.random_password.database.result)}@${azurerm_postgresql_flexible_server.main.fqdn}:${each.value}/${local.postgres_database}?sslmode=require"
  value_wo_version = var.database_password_version
  depends_on       = [azurerm_role_assignment.deployer_secrets_officer, azurerm_eventgrid_system_topic_event_subscription.secret_near_expiry]
}

resource "azurerm_key_vault_secret" "redis_url" {
  name             = local.secret_names.redis
  key_vault_id     = azurerm_key_vault.main.id
  content_type     = "redis-url"
  expiration_date  = var.secrets_expire_on
  value_wo         = "rediss://:${urlencode(azurerm_managed_redis.main.default_database[0].primary_access_key)}@${azurerm_managed_redis.main.hostname}:${local.redis_port}"
  value_wo_version = var.redis_secret_version
  depends_on       = [azurerm_role_assignment.deployer_secrets_officer, azurerm_eventgrid_system_topic_event_subscription.secret_near_expiry]
}

resource "azurerm_key_vault_secret" "jwt" {
  name             = local.secret_names.jwt
  key_vault_id     = azurerm_key_vault.main.id
  content_type     = "hs256-key"
  expiration_date  = var.secrets_expire_on
  value_wo         = ephemeral.random_password.jwt.result
  value_wo_version = var.auth_jwt_secret_version
  depends_on       = [azurerm_role_assignment.deployer_secrets_officer, azurerm_eventgrid_system_topic_event_subscription.secret_near_expiry]
}

resource "azurerm_key_vault_secret" "telemetry" {
  for_each        = local.app_insights_components
  name            = each.key == "app" ? local.secret_names.telemetry : local.secret_names.telemetry_slot
  key_vault_id    = azurerm_key_vault.main.id
  content_type    = "appinsights-connection-string"
  expiration_date = var.secrets_expire_on
  value           = azurerm_application_insights.component[each.key].connection_string
  depends_on      = [azurerm_role_assignment.deployer_secrets_officer, azurerm_eventgrid_system_topic_event_subscription.secret_near_expiry]
}

# --- Near-expiry notifications (seed rotation section) -----------------------------------------
# Key Vault raises SecretNearExpiry (30 days before expiry) through Event Grid; the events land
# in a storage queue as a record, and Key Vault logs each notification, which alerts.tf turns
# into an alert on the action group (Event Grid cannot call an action group directly).

resource "azurerm_eventgrid_system_topic" "keyvault" {
  name                = "egst-kv-${local.name}"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  source_resource_id  = azurerm_key_vault.main.id
  topic_type          = "Microsoft.KeyVault.vaults"
  tags                = local.tags

  identity {
    type = "SystemAssigned"
  }
}

resource "azurerm_role_assignment" "eventgrid_queue_sender" {
  scope                = azurerm_storage_account.main.id
  role_definition_name = "Storage Queue Data Message Sender"
  principal_id         = azurerm_eventgrid_system_topic.keyvault.identity[0].principal_id
}

resource "azurerm_eventgrid_system_topic_event_subscription" "secret_near_expiry" {
  name                 = "secret-near-expiry"
  system_topic         = azurerm_eventgrid_system_topic.keyvault.name
  resource_group_name  = azurerm_resource_group.main.name
  included_event_types = [
    "Microsoft.KeyVault.SecretNearExpiry",
    "Microsoft.KeyVault.SecretExpired",
  ]

  delivery_identity {
    type = "SystemAssigned"
  }

  storage_queue_endpoint {
    storage_account_id = azurerm_storage_account.main.id
    queue_name         = azurerm_storage_queue.keyvault_events.name
  }

  depends_on = [azurerm_role_assignment.eventgrid_queue_sender]
}
