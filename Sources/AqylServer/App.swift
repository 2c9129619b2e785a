import Hummingbird
import Prometheus
import ServiceLifecycle
import AqylStore
