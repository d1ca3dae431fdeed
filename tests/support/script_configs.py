"""A post's script_config as the API normalises it when no option is given (every default), shared by
the request tests that expect it and the script tests that start from it."""

POST_DEFAULTS = {
    "content_type": 0,
    "image_count": 1,
    "captions": "",
    "post_way": "share",
    "material_source": "materialLibrary",
    "material_path": "",
    "material_list": [],
    "materials_tags": "",
    "upload_wait_time": 30,
    "sound_wait_time": 10,
    "add_sound": "-1",
    "sound_name": "",
    "custom_sound_keyword": "",
    "origin_sound_volume": 50,
    "add_sound_volume": 50,
    "add_product_link": 0,
    "placement": "reel",
}
