# App Service: the API and the worker (seed 004 Option A) on their own Linux plans, Node 22 LTS
# runtime stack (no containers), zip deployed and run from the package. The API has the
# production `staging` slot; the worker has no public ingress. Settings use Azimuth's names
# (src/platform/config/settings-schema.ts); secrets are Key Vault references.

locals {
  app_environment = { dev = "development", staging = "staging", prod = "production" }[var.environment]

  # Settings every role gets (names from src/platform/config/settings-schema.ts, plus App
  # Service's own WEBSITE_*/WEBSITES_*/SCM_* switches).
  app_settings_base = {
    ENVIRONMENT                        = local.app_environment
    LOG_LEVEL                          = "info"
    API_TRUST_PROXY                    = "true"
    SHUTDOWN_TIMEOUT_MS                = tostring(var.shutdown_timeout_ms)
    WEBSITES_CONTAINER_STOP_TIME_LIMIT = tostring(var.container_stop_time_limit_seconds)
    WEBSITE_RUN_FROM_PACKAGE           = "1"
    SCM_DO_BUILD_DURING_DEPLOYMENT     = "false"
    WEBSITE_SWAP_WARMUP_PING_PATH      = "/health/readiness"
    WEBSITE_SWAP_WARMUP_PING_STATUSES  = "200"

    APPLICATIONINSIGHTS_CONNECTION_STRING = local.kv_ref.telemetry
    APPLICATIONINSIGHTS_TRACES_PER_SECOND = "5"
    DATABASE_URL                          = local.kv_ref.database
    # Migrations are a pipeline step (`azimuth migrate`), never part of the API's start-up.
    DATABASE_AUTO_MIGRATE = "false"
    REDIS_URL             = local.kv_ref.redis

    AZURE_STORAGE_ACCOUNT_NAME         = azurerm_storage_account.main.name
    AZURE_STORAGE_ACCOUNT_URL          = azurerm_storage_account.main.primary_blob_endpoint
    AZURE_STORAGE_TABLE_URL            = azurerm_storage_account.main.primary_table_endpoint
    AZURE_STORAGE_USE_MANAGED_IDENTITY = "true"
    AZURE_STORAGE_CONTAINER            = local.containers.files
    RECORDINGS_CONTAINER               = local.containers.recordings
    RECORDINGS_RETENTION_DAYS          = tostring(var.recordings_retention_days)

    LLM_PROVIDER          = "azure_openai"
    AZURE_OPENAI_ENDPOINT = azurerm_cognitive_account.openai.endpoint
    # Deployments are named after their models (openai.tf), chosen per environment; label
    # photos go to the large chat model (the seed's gpt-4o role), the rest to the small one.
    AZURE_OPENAI_DEPLOYMENT_NAME  = var.openai_transcribe_model.name
    AZURE_OPENAI_CHAT_DEPLOYMENT  = var.openai_chat_mini_model.name
    AZURE_OPENAI_LABEL_DEPLOYMENT = var.openai_chat_model.name

    AUTH_MODE = "jwt"
  }

  app_settings = merge(
    local.app_settings_base,
    length(concat(var.api_cors_origins, local.console_origins)) > 0 ? { API_CORS_ORIGINS = jsonencode(distinct(concat(var.api_cors_origins, local.console_origins))) } : {},
    # RS256 through a JWKS endpoint (Entra ID) when given, else the HS256 secret from Key Vault.
    var.auth_jwks_url != "" ? { AUTH_JWKS_URL = var.auth_jwks_url } : { AUTH_JWT_SECRET = local.kv_ref.jwt },
    var.auth_jwt_issuer != "" ? { AUTH_JWT_ISSUER = var.auth_jwt_issuer } : {},
    var.auth_jwt_audience != "" ? { AUTH_JWT_AUDIENCE = var.auth_jwt_audience } : {},
    # The console's own app registration (a SPA: public ids, no secret), read from /console/config.
    var.console_entra_client_id != "" ? {
      CONSOLE_ENTRA_CLIENT_ID = var.console_entra_client_id
      CONSOLE_ENTRA_AUTHORITY = "https://login.microsoftonline.com/${data.azurerm_client_config.current.tenant_id}"
      CONSOLE_ENTRA_API_SCOPE = var.console_entra_api_scope
    } : {},
  )

  # Seed "Slot-specific settings (not swapped)": database, environment, telemetry.
  sticky_app_settings = ["DATABASE_URL", "ENVIRONMENT", "APPLICATIONINSIGHTS_CONNECTION_STRING"]

  # Only the pipeline reaches staging and production databases (from inside the VNet). `azd up`
  # on dev has no such step, so there the worker, never the API, migrates when it starts.
  worker_app_settings = merge(local.app_settings, {
    DATABASE_AUTO_MIGRATE = var.environment == "dev" ? "true" : "false"
  })

  staging_slot_app_settings = merge(local.app_settings, {
    ENVIRONMENT                           = "staging"
    DATABASE_URL                          = local.kv_ref.database_slot
    APPLICATIONINSIGHTS_CONNECTION_STRING = local.kv_ref.telemetry_slot
  })
}

resource "azurerm_service_plan" "api" {
  name                = "asp-${local.name}-api"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  os_type             = "Linux"
  sku_name            = var.app_service_sku
  worker_count        = var.autoscale_enabled ? var.autoscale_min_instances : var.app_instance_count
  tags                = local.tags

  lifecycle {
    # Under autoscale (autoscale.tf) the instance count is Azure's to change, not a plan diff.
    ignore_changes = [worker_count]
  }
}

resource "azurerm_service_plan" "worker" {
  name                = "asp-${local.name}-worker"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  os_type             = "Linux"
  sku_name            = var.worker_service_sku
  worker_count        = var.worker_instance_count
  tags                = local.tags
}

resource "azurerm_linux_web_app" "api" {
  name                                           = "app-${local.name}-api-${local.suffix}"
  location                                       = azurerm_resource_group.main.location
  resource_group_name                            = azurerm_resource_group.main.name
  service_plan_id                                = azurerm_service_plan.api.id
  https_only                                     = true
  client_affinity_enabled                        = false
  public_network_access_enabled                  = true # the API is the public front door
  ftp_publish_basic_authentication_enabled       = false
  webdeploy_publish_basic_authentication_enabled = false
  virtual_network_subnet_id                      = azurerm_subnet.subnet["app"].id
  app_settings                                   = local.app_settings
  tags                                           = merge(local.tags, { "azd-service-name" = "api" })

  identity {
    type = "SystemAssigned"
  }

  site_config {
    always_on                         = true
    http2_enabled                     = true
    websockets_enabled                = true
    minimum_tls_version               = "1.2"
    scm_minimum_tls_version           = "1.2"
    ftps_state                        = "Disabled"
    remote_debugging_enabled          = false
    use_32_bit_worker                 = false
    vnet_route_all_enabled            = true
    health_check_path                 = "/health/readiness"
    health_check_eviction_time_in_min = 5
    app_command_line                  = "node dist/roles/cli.js api --workers auto"

    application_stack {
      node_version = var.node_version
    }
  }

  sticky_settings {
    app_setting_names = local.sticky_app_settings
  }
}

resource "azurerm_linux_web_app_slot" "staging" {
  count                                          = var.deployment_slot_enabled ? 1 : 0
  name                                           = "staging"
  app_service_id                                 = azurerm_linux_web_app.api.id
  https_only                                     = true
  client_affinity_enabled                        = false
  public_network_access_enabled                  = true
  ftp_publish_basic_authentication_enabled       = false
  webdeploy_publish_basic_authentication_enabled = false
  virtual_network_subnet_id                      = azurerm_subnet.subnet["app"].id
  app_settings                                   = local.staging_slot_app_settings
  tags                                           = merge(local.tags, { "azd-service-name" = "api" })

  identity {
    type = "SystemAssigned"
  }

  site_config {
    always_on                         = true
    http2_enabled                     = true
    websockets_enabled                = true
    minimum_tls_version               = "1.2"
    scm_minimum_tls_version           = "1.2"
    ftps_state                        = "Disabled"
    remote_debugging_enabled          = false
    use_32_bit_worker                 = false
    vnet_route_all_enabled            = true
    health_check_path                 = "/health/readiness"
    health_check_eviction_time_in_min = 5
    app_command_line                  = "node dist/roles/cli.js api --workers auto"

    application_stack {
      node_version = var.node_version
    }
  }
}

resource "azurerm_linux_web_app" "worker" {
  name                                           = "app-${local.name}-worker-${local.suffix}"
  location                                       = azurerm_resource_group.main.location
  resource_group_name                            = azurerm_resource_group.main.name
  service_plan_id                                = azurerm_service_plan.worker.id
  https_only                                     = true
  client_affinity_enabled                        = false
  # No public ingress: the site denies every address (ip_restriction_default_action below) and
  # only answers the platform's health probes. The deployment (SCM) endpoint stays reachable
  # for zip deploys, with basic auth off, so only Entra ID-authenticated deployers get in.
  public_network_access_enabled                  = true
  ftp_publish_basic_authentication_enabled       = false
  webdeploy_publish_basic_authentication_enabled = false
  virtual_network_subnet_id                      = azurerm_subnet.subnet["worker"].id
  app_settings                                   = local.worker_app_settings
  tags                                           = merge(local.tags, { "azd-service-name" = "worker" })

  identity {
    type = "SystemAssigned"
  }

  site_config {
    always_on                         = true
    http2_enabled                     = true
    websockets_enabled                = false
    ip_restriction_default_action     = "Deny"
    scm_ip_restriction_default_action = "Allow"
    minimum_tls_version               = "1.2"
    scm_minimum_tls_version           = "1.2"
    ftps_state                        = "Disabled"
    remote_debugging_enabled          = false
    use_32_bit_worker                 = false
    vnet_route_all_enabled            = true
    health_check_path                 = "/health/readiness"
    health_check_eviction_time_in_min = 5
    app_command_line                  = "node dist/roles/cli.js worker"

    application_stack {
      node_version = var.node_version
    }
  }
}

# --- Custom domain and TLS (seed "Custom Domain & TLS"): off when custom_domain is empty ------
# Two-phase (dns.tf): bound only once the CNAME to the API's default hostname and the TXT
# asuid.custom_domain -> custom_domain_verification_id exist (CUSTOM_DOMAIN_DNS_RECORDS).

resource "azurerm_app_service_custom_hostname_binding" "api" {
  count               = local.custom_domain_bound ? 1 : 0
  hostname            = var.custom_domain
  app_service_name    = azurerm_linux_web_app.api.name
  resource_group_name = azurerm_resource_group.main.name

  lifecycle {
    # The certificate binding below sets these; Terraform must not undo it.
    ignore_changes = [ssl_state, thumbprint]
  }

  # Azure checks the records when binding: those Terraform writes must exist first.
  depends_on = [azurerm_dns_cname_record.custom_domain, azurerm_dns_txt_record.custom_domain_verification]
}

resource "azurerm_app_service_managed_certificate" "api" {
  count                      = local.custom_domain_bound ? 1 : 0
  custom_hostname_binding_id = azurerm_app_service_custom_hostname_binding.api[0].id
  tags                       = local.tags
}

resource "azurerm_app_service_certificate_binding" "api" {
  count               = local.custom_domain_bound ? 1 : 0
  hostname_binding_id = azurerm_app_service_custom_hostname_binding.api[0].id
  certificate_id      = azurerm_app_service_managed_certificate.api[0].id
  ssl_state           = "SniEnabled"
}
