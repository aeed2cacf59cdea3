# Storage account for blobs and tables (seeds 001, 002, 003): TLS 1.2, no public blob access,
# shared-key access off in production (managed identity), soft delete and versioning, CORS for
# the console (seed 001 "Known issues: CORS": CORS is an account-level setting), a lifecycle
# policy that moves recordings to cool and deletes them after the retention period (seed 002
# "tiered storage"), private endpoints for blob and table (networking.tf).
# The public endpoint stays open in every environment: browsers fetch recordings, scans and
# files through the short-lived SAS links the API issues (seed 001), from anywhere. No anonymous
# access, shared keys off in production (user-delegation SAS), CORS for the console's origins;
# the app reaches the account privately (its DNS resolves the private endpoints).
# Terraform manages containers, the queue and the lifecycle policy through ARM
# (storage_account_id; the provider's storage data plane is off: main.tf).

locals {
  containers = {
    files      = "azimuth"          # AZURE_STORAGE_CONTAINER
    recordings = "audio-files"      # RECORDINGS_CONTAINER (seed 002)
    scans      = "crownsafe-images" # seed 001
  }
}

resource "azurerm_storage_account" "main" {
  name                            = "st${substr(local.compact, 0, 14)}${local.suffix}"
  location                        = azurerm_resource_group.main.location
  resource_group_name             = azurerm_resource_group.main.name
  account_kind                    = "StorageV2"
  account_tier                    = "Standard"
  account_replication_type        = var.storage_replication_type
  access_tier                     = "Hot"
  min_tls_version                 = "TLS1_2"
  https_traffic_only_enabled      = true
  allow_nested_items_to_be_public = false
  shared_access_key_enabled       = var.storage_shared_key_access_enabled
  default_to_oauth_authentication = true
  public_network_access_enabled   = var.storage_public_network_access_enabled
  tags                            = local.tags

  network_rules {
    default_action = var.storage_public_network_access_enabled ? "Allow" : "Deny"
    # Event Grid delivers Key Vault events to the queue as a trusted service (managed identity).
    bypass = ["AzureServices", "Logging", "Metrics"]
  }

  blob_properties {
    versioning_enabled = true

    delete_retention_policy {
      days = 14
    }

    container_delete_retention_policy {
      days = 14
    }

    dynamic "cors_rule" {
      for_each = length(var.api_cors_origins) > 0 ? [var.api_cors_origins] : []
      content {
        allowed_origins    = cors_rule.value
        allowed_methods    = ["GET", "HEAD", "PUT", "OPTIONS"]
        allowed_headers    = ["content-type", "x-ms-blob-type", "x-ms-version", "x-ms-date", "range"]
        exposed_headers    = ["etag", "content-length", "content-range", "x-ms-request-id"]
        max_age_in_seconds = 3600
      }
    }
  }
}

resource "azurerm_storage_container" "container" {
  for_each              = local.containers
  name                  = each.value
  storage_account_id    = azurerm_storage_account.main.id
  container_access_type = "private"
}

resource "azurerm_storage_queue" "keyvault_events" {
  name               = "keyvault-events"
  storage_account_id = azurerm_storage_account.main.id
}

resource "azurerm_storage_management_policy" "main" {
  storage_account_id = azurerm_storage_account.main.id

  rule {
    name    = "recordings-tiering"
    enabled = true

    filters {
      prefix_match = ["${local.containers.recordings}/"]
      blob_types   = ["blockBlob"]
    }

    actions {
      base_blob {
        tier_to_cool_after_days_since_modification_greater_than = var.recordings_cool_after_days
        delete_after_days_since_modification_greater_than       = var.recordings_retention_days
      }
      version {
        delete_after_days_since_creation = var.recordings_retention_days
      }
      snapshot {
        delete_after_days_since_creation_greater_than = var.recordings_retention_days
      }
    }
  }
}
