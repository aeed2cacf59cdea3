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

# Secrets are written through Azure Resource Manager (Microsoft.KeyVault/vaults/secrets), the
# control plane, never the vault's data plane: Terraform runs on GitHub-hosted and
# Microsoft-hosted agents, outside the VNet, and the vault's public endpoint is closed in
# staging and production. ARM needs no network path to the vault and no data-plane role: the
# deployer's Contributor/Owner on the resource group carries Microsoft.KeyVault/vaults/secrets/write.
# ARM never returns a secret's value, so refresh reads only the attributes below.
# (azapi 2.5+: `sensitive_body` is write-only, sent only when its `sensitive_body_version`
# entry changes; docs/resources/resource.md in Azure/terraform-provider-azapi v2.12.0.)

# The developer running `azd up` reads secrets outside production only (seed: developers have none in prod).
resource "azurerm_role_assignment" "developer_secrets_user" {
  count                = var.principal_id != "" && !local.is_prod ? 1 : 0
  scope                = azurerm_key_vault.main.id
  role_definition_name = "Key Vault Secrets User"
  principal_id         = var.principal_id
}

locals {
  secret_names = {
    database             = "azimuth-db-connection-string"
    database_direct      = "azimuth-db-direct-connection-string"
    database_slot        = "azimuth-db-staging-slot-connection-string"
    database_slot_direct = "azimuth-db-staging-slot-direct-connection-string"
    redis                = "azimuth-redis-connection-string"
    jwt                  = "azimuth-auth-jwt-secret"
    telemetry            = "azimuth-appinsights-connection-string"
    telemetry_slot       = "azimuth-appinsights-staging-slot-connection-string"
  }
  # App Service resolves these at start-up with the app's managed identity.
  kv_ref = { for k, s in local.secret_names : k => "@Microsoft.KeyVault(SecretUri=${azurerm_key_vault.main.vault_uri}secrets/${s}/)" }

  # ARM takes the expiry as Unix seconds (hashicorp/time's rfc3339_parse, Terraform 1.8+).
  # Secrets expire 30 days after the next rotation point, a year after they were written (seed
  # 004 rotation), or on a fixed date when `secrets_expire_on` pins one: never a literal that goes
  # stale. Key Vault's near-expiry event (30 days before) reaches the alert; the next apply after
  # the rotation point writes every secret, and the database password, anew.
  secrets_expire_on   = var.secrets_expire_on != "" ? var.secrets_expire_on : timeadd(time_rotating.secrets.rotation_rfc3339, "720h")
  secret_expires_unix = provider::time::rfc3339_parse(local.secrets_expire_on).unix
  secret_api          = "Microsoft.KeyVault/vaults/secrets@2023-07-01"
}

ephemeral "random_password" "jwt" {
  length  = 64
  special = false
}

# --- Versions: a write-only value is re-sent exactly when it may differ from what Azure holds ---
# An azapi update omits the value unless its version changed, so every version also covers the
# secret's body (the expiry): no PUT ever goes out without the value.
#
# The database password is ephemeral: each run draws a new one. So the server and EVERY secret
# that carries it must receive the same run's value together, or not at all. One version,
# `database_password_version` (a hash, used by the server too: postgresql.tf), covers the
# rotation counter, the vault, the set of secrets and their shape, and the expiry: adding a
# secret (the staging slot's) re-sends the password to the server and every secret in one apply.
# Left out: a secret deleted by hand; bump database_password_version in the apply that restores it.
# A replaced server takes this run's password on creation; `database_server_instance` is
# replaced with it (the new server's id is unknown at plan), which re-sends every secret.

locals {
  database_password_version = parseint(substr(sha256(jsonencode({
    rotation = var.database_password_version
    vault    = azurerm_key_vault.main.id # a replaced vault (id unknown at plan) gets new secrets
    secrets  = local.database_urls
    expires  = local.secrets_expire_on
  })), 0, 12), 16)
}

resource "terraform_data" "database_server_instance" {
  triggers_replace = azurerm_postgresql_flexible_server.main.id
}

# The app connects through the built-in PgBouncer (port 6432, transaction mode) where the SKU has
# it; migrations, run by the pipeline, use the direct port 5432 (session features, advisory locks).
# The staging slot has its own (sticky) secrets pointing at its own database (staging_database.tf).
locals {
  database_urls = merge(
    {
      (local.secret_names.database)        = { port = local.app_database_port, database = local.postgres_database }
      (local.secret_names.database_direct) = { port = 5432, database = local.postgres_database }
    },
    var.deployment_slot_enabled ? {
      (local.secret_names.database_slot)        = { port = local.app_database_port, database = local.staging_slot_database }
      (local.secret_names.database_slot_direct) = { port = 5432, database = local.staging_slot_database }
    } : {},
  )
}

resource "azapi_resource" "database_url" {
  for_each  = local.database_urls
  type      = local.secret_api
  name      = each.key
  parent_id = azurerm_key_vault.main.id
  body = {
    properties = {
      contentType = "postgresql-url"
      attributes  = { enabled = true, exp = local.secret_expires_unix }
    }
  }
  sensitive_body = {
    properties = {
      value = "postgresql://${local.postgres_admin_login}:${urlencode(ephemeral.random_password.database.result)}@${azurerm_postgresql_flexible_server.main.fqdn}:${each.value.port}/${each.value.database}?sslmode=require"
    }
  }
  sensitive_body_version = {
    "properties.value" = "${local.database_password_version}-${terraform_data.database_server_instance.id}"
  }
  depends_on = [azurerm_eventgrid_system_topic_event_subscription.secret_near_expiry]
}

# Redis's access key and the telemetry connection string live in Terraform's state already (as
# attributes of their resources): their version is a hash of the whole value and the expiry, so
# a regenerated key or a replaced cache rewrites the secret in the same apply.
locals {
  redis_url = "rediss://:${urlencode(azurerm_managed_redis.main.default_database[0].primary_access_key)}@${azurerm_managed_redis.main.hostname}:${local.redis_port}"
}

resource "azapi_resource" "redis_url" {
  type      = local.secret_api
  name      = local.secret_names.redis
  parent_id = azurerm_key_vault.main.id
  body = {
    properties = {
      contentType = "redis-url"
      attributes  = { enabled = true, exp = local.secret_expires_unix }
    }
  }
  sensitive_body         = { properties = { value = local.redis_url } }
  sensitive_body_version = { "properties.value" = sha256(jsonencode([local.redis_url, local.secrets_expire_on])) }
  depends_on             = [azurerm_eventgrid_system_topic_event_subscription.secret_near_expiry]
}

# One consumer (the apps read it): a new instance is created with this run's value, and a bump
# of `auth_jwt_secret_version` (or the expiry) rotates it.
resource "azapi_resource" "jwt" {
  type      = local.secret_api
  name      = local.secret_names.jwt
  parent_id = azurerm_key_vault.main.id
  body = {
    properties = {
      contentType = "hs256-key"
      attributes  = { enabled = true, exp = local.secret_expires_unix }
    }
  }
  sensitive_body         = { properties = { value = ephemeral.random_password.jwt.result } }
  sensitive_body_version = { "properties.value" = sha256(jsonencode([var.auth_jwt_secret_version, local.secrets_expire_on])) }
  depends_on             = [azurerm_eventgrid_system_topic_event_subscription.secret_near_expiry]
}

resource "azapi_resource" "telemetry" {
  for_each  = local.app_insights_components
  type      = local.secret_api
  name      = each.key == "app" ? local.secret_names.telemetry : local.secret_names.telemetry_slot
  parent_id = azurerm_key_vault.main.id
  body = {
    properties = {
      contentType = "appinsights-connection-string"
      attributes  = { enabled = true, exp = local.secret_expires_unix }
    }
  }
  sensitive_body         = { properties = { value = azurerm_application_insights.component[each.key].connection_string } }
  sensitive_body_version = { "properties.value" = sha256(jsonencode([azurerm_application_insights.component[each.key].connection_string, local.secrets_expire_on])) }
  depends_on             = [azurerm_eventgrid_system_topic_event_subscription.secret_near_expiry]
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
  name                = "secret-near-expiry"
  system_topic        = azurerm_eventgrid_system_topic.keyvault.name
  resource_group_name = azurerm_resource_group.main.name
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

# The rotation point of every secret: 335 days after it was set, so secrets written then expire
# 30 days later (local.secrets_expire_on), right when the near-expiry alert asks for the apply
# that replaces this resource and rewrites them.
resource "time_rotating" "secrets" {
  rotation_days = 335
}
