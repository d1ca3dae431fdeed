"""Script configs as the API normalises them when no option is given (every default), shared by
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

CHATGPT_DEFAULTS = {
    "api_key": "",
    "model": "gpt-3.5-turbo",
    "prompt": "",
    "max_tokens": 100,
    "temperature": 0.7,
    "base_url": "",
}

WARMUP_DEFAULTS = {
    "task_duration": 600,
    "topic": "",
    "min_duration": 15,
    "max_duration": 30,
    "like_probable": 0,
    "floow_probable": 0,
    "collect_probable": 0,
    "comment_probable": 0,
    "comment": "",
    "insert_emoji": False,
    "comment_order": "random",
    "generate_by_chatgpt": False,
    "chatgpt_settings": CHATGPT_DEFAULTS,
}
