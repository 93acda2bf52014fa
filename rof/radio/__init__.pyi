"""Public names of ``rof.radio``, loaded on first access (see ``__init__.py``)."""

from .deployment import (
    Deployment as Deployment,
    make_deployment as make_deployment,
)
from .layouts import (
    hex_sites as hex_sites,
    ppp_sites as ppp_sites,
    sites_from_csv as sites_from_csv,
)
from .pathloss import (
    breakpoint_distance_m as breakpoint_distance_m,
    pathloss_38901 as pathloss_38901,
    pathloss_power_law as pathloss_power_law,
)
from .los import (
    los_probability_38901 as los_probability_38901,
)
from .shadowing import (
    sf_decorrelation_m as sf_decorrelation_m,
    shadow_fading_std_db as shadow_fading_std_db,
)
from .antenna import (
    AntennaPattern as AntennaPattern,
    antenna_gain_db as antenna_gain_db,
)
from .arrays import (
    BS_PRESETS as BS_PRESETS,
    UE_PRESETS as UE_PRESETS,
    PanelArray as PanelArray,
    bs_antenna as bs_antenna,
    ue_antenna as ue_antenna,
)
from .two_tier import (
    Tier as Tier,
    add_small_cells as add_small_cells,
    build_two_tier_link_table as build_two_tier_link_table,
)
from .calibration import (
    run_calibration as run_calibration,
)
from .o2i import (
    draw_o2i_loss as draw_o2i_loss,
)
from .linktable import (
    LinkTable as LinkTable,
    build_link_table as build_link_table,
)
from .fading import (
    FadingProcess as FadingProcess,
    doppler_hz as doppler_hz,
)
from .tdl import (
    tdl_profile as tdl_profile,
)
from .sinr import (
    channel_gain as channel_gain,
    noise_power_w as noise_power_w,
    sinr_per_link as sinr_per_link,
    sinr_scheduled as sinr_scheduled,
)
from .effective_sinr import (
    effective_sinr as effective_sinr,
)
from .rates import (
    SE_MAX_NR_256QAM as SE_MAX_NR_256QAM,
    bler as bler,
    cqi_table as cqi_table,
    mcs_table as mcs_table,
    select_cqi as select_cqi,
    select_mcs as select_mcs,
    shannon_attenuated as shannon_attenuated,
    spectral_efficiency as spectral_efficiency,
    tb_bits as tb_bits,
)
