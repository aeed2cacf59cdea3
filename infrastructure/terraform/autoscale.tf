# Autoscale of the API plan in production (seed 004 "Auto-Scale Rules" + seed 000 memory):
# 2-6 instances; out when any rule fires, in only when every scale-in rule agrees; 5-minute
# cooldowns. Requests are counted on the API app and divided by the instance count.

resource "azurerm_monitor_autoscale_setting" "api" {
  count               = var.autoscale_enabled ? 1 : 0
  name                = "autoscale-${local.name}-api"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  target_resource_id  = azurerm_service_plan.api.id
  tags                = local.tags

  profile {
    name = "default"

    capacity {
      default = var.autoscale_min_instances
      minimum = var.autoscale_min_instances
      maximum = var.autoscale_max_instances
    }

    # CPU > 70 % for 10 minutes: one more instance.
    rule {
      metric_trigger {
        metric_name        = "CpuPercentage"
        metric_resource_id = azurerm_service_plan.api.id
        time_grain         = "PT1M"
        statistic          = "Average"
        time_window        = "PT10M"
        time_aggregation   = "Average"
        operator           = "GreaterThan"
        threshold          = 70
      }
      scale_action {
        direction = "Increase"
        type      = "ChangeCount"
        value     = 1
        cooldown  = "PT5M"
      }
    }

    # CPU < 30 % for 10 minutes: one fewer.
    rule {
      metric_trigger {
        metric_name        = "CpuPercentage"
        metric_resource_id = azurerm_service_plan.api.id
        time_grain         = "PT1M"
        statistic          = "Average"
        time_window        = "PT10M"
        time_aggregation   = "Average"
        operator           = "LessThan"
        threshold          = 30
      }
      scale_action {
        direction = "Decrease"
        type      = "ChangeCount"
        value     = 1
        cooldown  = "PT5M"
      }
    }

    # More than 500 requests per minute per instance: one more.
    rule {
      metric_trigger {
        metric_name              = "Requests"
        metric_namespace         = "microsoft.web/sites"
        metric_resource_id       = azurerm_linux_web_app.api.id
        time_grain               = "PT1M"
        statistic                = "Average"
        time_window              = "PT10M"
        time_aggregation         = "Total"
        operator                 = "GreaterThan"
        threshold                = 500
        divide_by_instance_count = true
      }
      scale_action {
        direction = "Increase"
        type      = "ChangeCount"
        value     = 1
        cooldown  = "PT5M"
      }
    }

    # Fewer than 100 requests per minute per instance: one fewer.
    rule {
      metric_trigger {
        metric_name              = "Requests"
        metric_namespace         = "microsoft.web/sites"
        metric_resource_id       = azurerm_linux_web_app.api.id
        time_grain               = "PT1M"
        statistic                = "Average"
        time_window              = "PT10M"
        time_aggregation         = "Total"
        operator                 = "LessThan"
        threshold                = 100
        divide_by_instance_count = true
      }
      scale_action {
        direction = "Decrease"
        type      = "ChangeCount"
        value     = 1
        cooldown  = "PT5M"
      }
    }

    # Seed 000: memory as a scale signal. Out above 80 % (below the 85 % alert), in below 50 %.
    rule {
      metric_trigger {
        metric_name        = "MemoryPercentage"
        metric_resource_id = azurerm_service_plan.api.id
        time_grain         = "PT1M"
        statistic          = "Average"
        time_window        = "PT10M"
        time_aggregation   = "Average"
        operator           = "GreaterThan"
        threshold          = 80
      }
      scale_action {
        direction = "Increase"
        type      = "ChangeCount"
        value     = 1
        cooldown  = "PT5M"
      }
    }

    rule {
      metric_trigger {
        metric_name        = "MemoryPercentage"
        metric_resource_id = azurerm_service_plan.api.id
        time_grain         = "PT1M"
        statistic          = "Average"
        time_window        = "PT10M"
        time_aggregation   = "Average"
        operator           = "LessThan"
        threshold          = 50
      }
      scale_action {
        direction = "Decrease"
        type      = "ChangeCount"
        value     = 1
        cooldown  = "PT5M"
      }
    }
  }

  notification {
    email {
      custom_emails = var.alert_email_addresses
    }
  }
}
