"""Indoor hotspot, office (InH) of 3GPP TR 38.901 V17.

Path loss (Table 7.4.1-1), d in m, fc in GHz, 1 m <= d3D <= 150 m:

* LOS: 32.4 + 17.3 log10(d3D) + 20 log10(fc);
* NLOS: max(PL_LOS, 38.3 log10(d3D) + 17.30 + 24.9 log10(fc)).

LOS probability (Table 7.4.2-1), d = d2D: mixed office 1 for d <= 1.2 m,
exp(-(d - 1.2)/4.7) for 1.2 < d < 6.5 m, 0.32 exp(-(d - 6.5)/32.6) beyond; open office
1 for d <= 5 m, exp(-(d - 5)/70.8) for 5 < d <= 49 m, 0.54 exp(-(d - 49)/211.7) beyond.

No O2I loss (every UT is indoors; Table 7.5-6 has no O2I state). Layout (Table
7.2-1): BS on the 3 m ceiling, UTs at 1 m. Ricean K factor of LOS links (Table
7.5-6): mean 7 dB. sigma_SF and validity ranges: the InH rows of
``tables/tr38901_table7.4.1-1_r17.csv``; decorrelation distances: the InH rows of
``tables/tr38901_table7.5-6_r17.csv``.
"""

from rof.radio.tr38901.model import LOS_INH_OFFICE, PL_LOG_DISTANCE, Formulas, Tr38901Scenario

SCENARIO = Tr38901Scenario(
    name="InH",
    formulas=Formulas(
        pathloss_form=PL_LOG_DISTANCE,
        los_a=32.4,
        los_b=17.3,
        los_c=20.0,
        nlos_a=17.30,
        nlos_b=38.3,
        nlos_c=24.9,
        nlos_e=0.0,
        los_form=LOS_INH_OFFICE,
    ),
    o2i_d_in_max_m=None,
    o2i_high_loss=False,
    indoor_floor_heights=False,
    h_bs_m=3.0,
    h_ut_m=1.0,
    isd_m=None,
    rician_k_db=7.0,
)
